import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from 'proxy-addr';
import type { ProxyTrust } from '../../config/proxy-trust';
import { rawRequestOf } from './http-message';

const CLIENT_ADDRESS = Symbol('clientAddress');
const VIA_TRUSTED_PROXY = Symbol('viaTrustedProxy');
type WithClientAddress = { [CLIENT_ADDRESS]?: string; [VIA_TRUSTED_PROXY]?: boolean };
const PEER_TRUSTED = Symbol('peerTrusted');
type PeerTrust = { [PEER_TRUSTED]?: boolean };

/**
 * Settles who the client is, once, as the request arrives (`http/front-door.ts`): the TCP
 * peer, unless that peer is a trusted proxy, and then the nearest untrusted address in
 * `X-Forwarded-For`. Rate limits, the response cache and logs all read it through
 * {@link clientAddressOf}, on either HTTP adapter.
 */
export function assignClientAddress(req: IncomingMessage, trust: ProxyTrust): void {
  const socket = req.socket as (IncomingMessage['socket'] & PeerTrust) | undefined;
  const peer = socket?.remoteAddress;
  if (!socket || !peer) {
    (req as WithClientAddress)[CLIENT_ADDRESS] = 'unknown';
    (req as WithClientAddress)[VIA_TRUSTED_PROXY] = false;
    return;
  }
  // A connection's peer never changes, and parsing it against the trusted ranges cost more
  // than the rest of the request's front door: settled once per connection.
  const trusted = (socket[PEER_TRUSTED] ??= trust(peer, 0));
  (req as WithClientAddress)[VIA_TRUSTED_PROXY] = trusted;
  // Without a trusted peer, or without the header, the peer is the client (as proxyAddr says).
  (req as WithClientAddress)[CLIENT_ADDRESS] =
    trusted && req.headers['x-forwarded-for'] !== undefined ? proxyAddr(req, trust) : peer;
}

/** The address {@link assignClientAddress} settled, also through Fastify's wrapping request. */
export function clientAddressOf(req: object): string {
  const raw = rawRequestOf(req);
  return (raw as WithClientAddress)[CLIENT_ADDRESS] ?? raw.socket?.remoteAddress ?? 'unknown';
}

/**
 * Whether the browser reached us over HTTPS: our own TLS socket, or `X-Forwarded-Proto:
 * https` (the first hop it names) from a peer `TRUST_PROXY` trusts, as for
 * `X-Forwarded-For`.
 */
export function isHttps(req: object): boolean {
  const raw = rawRequestOf(req);
  if ((raw.socket as Partial<TLSSocket> | undefined)?.encrypted) {
    return true;
  }
  const forwarded = raw.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim().toLowerCase();
  return proto === 'https' && (raw as WithClientAddress)[VIA_TRUSTED_PROXY] === true;
}

/** The calling client's address in a handler: `login(@ClientAddress() client: string)`. */
export const ClientAddress = createParamDecorator((_: unknown, context: ExecutionContext): string =>
  clientAddressOf(context.switchToHttp().getRequest<object>()),
);
