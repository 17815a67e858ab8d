import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from 'proxy-addr';

/**
 * Which proxies may speak for the client in `X-Forwarded-*`: those on loopback and private
 * networks (nginx in the compose profile). A client on a public address cannot forge them.
 */
const TRUSTED_PROXIES = proxyAddr.compile(['loopback', 'linklocal', 'uniquelocal']);

/** The client's address, as the nearest untrusted hop tells it. */
export function clientAddressOf(req: IncomingMessage): string {
  return proxyAddr(req, TRUSTED_PROXIES);
}

/**
 * Whether the browser reached us over HTTPS: our own TLS socket, or a trusted proxy's
 * `X-Forwarded-Proto: https` (the first hop it names).
 */
export function isHttps(req: IncomingMessage): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted) {
    return true;
  }
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim().toLowerCase();
  return proto === 'https' && TRUSTED_PROXIES(req.socket.remoteAddress ?? '', 0);
}
