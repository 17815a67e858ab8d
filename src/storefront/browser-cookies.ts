import { stringifySetCookie } from 'cookie';
import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE } from '../auth/session-cookie';
import { isHttps } from '../common/http/client-address';

/**
 * The storefront's cookies: never readable by page scripts, sent on top-level navigations
 * from other sites only (Lax), for the whole site, and `Secure` whenever the browser
 * reached us over HTTPS (directly or through a trusted proxy).
 */
function setCookie(req: IncomingMessage, name: string, value: string, maxAgeSeconds: number): string {
  return stringifySetCookie({
    name,
    value,
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: maxAgeSeconds,
    secure: isHttps(req),
  });
}

/** The session cookie holding `token`, living as long as the token does. */
export function sessionCookie(req: IncomingMessage, token: string, ttlSeconds: number): string {
  return setCookie(req, SESSION_COOKIE, token, ttlSeconds);
}

export function clearedSessionCookie(req: IncomingMessage): string {
  return setCookie(req, SESSION_COOKIE, '', 0);
}

export const CSRF_COOKIE = 'mall_csrf';
/** The CSRF secret outlives sessions: a login keeps it (its tokens change with the session). */
const CSRF_COOKIE_MAX_AGE_S = 7 * 24 * 60 * 60;

export function csrfCookie(req: IncomingMessage, secret: string): string {
  return setCookie(req, CSRF_COOKIE, secret, CSRF_COOKIE_MAX_AGE_S);
}
