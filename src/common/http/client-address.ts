import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from 'proxy-addr';
import { rawRequestOf } from './http-message';

/** Decides, hop by hop, whether an address may name the client in `X-Forwarded-For`. */
export type ProxyTrust = (address: string, hop: number) => boolean;

const TRUST_NONE: ProxyTrust = () => false;

/**
 * `TRUST_PROXY` as a trust function: unset (or `0`) trusts no one, so the TCP peer is
 * the client; a hop count `n` trusts the nearest `n` hops whatever their address (as
 * Express's `trust proxy` does); anything else is a comma-separated list of addresses,
 * CIDRs and the names `loopback`, `linklocal`, `uniquelocal`. Throws on a bad entry, which
 * is how the environment check finds one.
 *
 * @example compileProxyTrust('loopback, 10.0.0.0/8')('127.0.0.1', 0) // true
 */
export function compileProxyTrust(value: string | undefined): ProxyTrust {
  const spec = (value ?? '').trim();
  if (spec === '') {
    return TRUST_NONE;
  }
  if (/^\d+$/.test(spec)) {
    const hops = Number(spec);
    return hops === 0 ? TRUST_NONE : (_address, hop) => hop < hops;
  }
  const entries = spec.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) {
    throw new Error('an empty entry');
  }
  return proxyAddr.compile(entries);
}

const CLIENT_ADDRESS = Symbol('clientAddress');
const VIA_TRUSTED_PROXY = Symbol('viaTrustedProxy');
type WithClientAddress = { [CLIENT_ADDRESS]?: string; [VIA_TRUSTED_PROXY]?: boolean };

/**
 * Settles who the client is, once, as the request arrives (`http/front-door.ts`): the TCP
 * peer, unless that peer is a trusted proxy, and then the nearest untrusted address in
 * `X-Forwarded-For`. Rate limits, hot reads and logs all read it through
 * {@link clientAddressOf}, on either HTTP adapter.
 */
export function assignClientAddress(req: IncomingMessage, trust: ProxyTrust): void {
  const peer = req.socket?.remoteAddress;
  (req as WithClientAddress)[CLIENT_ADDRESS] = peer ? proxyAddr(req, trust) : 'unknown';
  (req as WithClientAddress)[VIA_TRUSTED_PROXY] = peer ? trust(peer, 0) : false;
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
