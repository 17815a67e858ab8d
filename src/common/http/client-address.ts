import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from 'proxy-addr';
import type { ProxyTrust } from '../../config/proxy-trust';

const CLIENT_ADDRESS = Symbol('clientAddress');
const VIA_TRUSTED_PROXY = Symbol('viaTrustedProxy');
type WithClientAddress = { [CLIENT_ADDRESS]?: string; [VIA_TRUSTED_PROXY]?: boolean };

/** What a connection's last request settled, and the `X-Forwarded-For` it was settled from. */
interface Settled {
  forwardedFor: string | string[] | undefined;
  address: string;
  viaTrustedProxy: boolean;
}
const SETTLED = Symbol('settledClient');
type SocketWithSettled = { [SETTLED]?: Settled };

/**
 * Settles who the client is, once, as the request arrives (`http/front-door.ts`): the TCP
 * peer, unless that peer is a trusted proxy, and then the nearest untrusted address in
 * `X-Forwarded-For`. Rate limits, the response cache and logs all read it through
 * {@link clientAddressOf}.
 */
export function assignClientAddress(req: IncomingMessage, trust: ProxyTrust): void {
  // The answer depends on the TCP peer and X-Forwarded-For only, and a keep-alive
  // connection carries many requests from one peer, usually with the same header: it is
  // kept on the socket and settled again only when the header differs (parsing the
  // addresses on every request would weigh on a cached read, which does little else).
  const socket = req.socket as (typeof req.socket & SocketWithSettled) | undefined;
  const forwardedFor = req.headers['x-forwarded-for'];
  let settled = socket?.[SETTLED];
  if (settled === undefined || settled.forwardedFor !== forwardedFor) {
    const peer = socket?.remoteAddress;
    settled = {
      forwardedFor,
      address: peer ? proxyAddr(req, trust) : 'unknown',
      viaTrustedProxy: peer ? trust(peer, 0) : false,
    };
    if (socket) {
      socket[SETTLED] = settled;
    }
  }
  (req as WithClientAddress)[CLIENT_ADDRESS] = settled.address;
  (req as WithClientAddress)[VIA_TRUSTED_PROXY] = settled.viaTrustedProxy;
}

/** The address {@link assignClientAddress} settled. */
export function clientAddressOf(req: IncomingMessage): string {
  return (req as WithClientAddress)[CLIENT_ADDRESS] ?? req.socket?.remoteAddress ?? 'unknown';
}

/**
 * Whether the browser reached us over HTTPS: our own TLS socket, or `X-Forwarded-Proto:
 * https` (the first hop it names) from a peer `TRUST_PROXY` trusts, as for
 * `X-Forwarded-For`.
 */
export function isHttps(req: IncomingMessage): boolean {
  if ((req.socket as Partial<TLSSocket> | undefined)?.encrypted) {
    return true;
  }
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim().toLowerCase();
  return proto === 'https' && (req as WithClientAddress)[VIA_TRUSTED_PROXY] === true;
}

/** The calling client's address in a handler: `login(@ClientAddress() client: string)`. */
export const ClientAddress = createParamDecorator((_: unknown, context: ExecutionContext): string =>
  clientAddressOf(context.switchToHttp().getRequest<IncomingMessage>()),
);
