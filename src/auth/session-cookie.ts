import { SetMetadata } from '@nestjs/common';
import { parseCookie } from 'cookie';
import type { HttpRequest } from '../common/http/http-message';

/** The storefront's session: the same access token the API hands out, in an HttpOnly cookie. */
export const SESSION_COOKIE = 'mall_session';

export const ACCEPTS_SESSION_COOKIE = Symbol('ACCEPTS_SESSION_COOKIE');

/**
 * Lets {@link AuthGuard} read the token from the session cookie on these routes (the
 * storefront's pages). Everywhere else only a bearer header counts: a browser sends
 * cookies on its own, so an API that accepted them would be open to cross-site requests.
 * Routes that take it must check a CSRF token on every unsafe method.
 */
export const AcceptsSessionCookie = () => SetMetadata(ACCEPTS_SESSION_COOKIE, true);

/** The cookies a request carries (an empty object when none). */
export function cookiesOf(req: Pick<HttpRequest, 'headers'>): Record<string, string | undefined> {
  const header = req.headers.cookie;
  return header ? parseCookie(header) : {};
}

export function sessionTokenOf(req: Pick<HttpRequest, 'headers'>): string | undefined {
  return cookiesOf(req)[SESSION_COOKIE] || undefined;
}
