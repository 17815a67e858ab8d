import type { ServerResponse } from 'node:http';
import type { HttpResponse } from '../common/http/http-message';
import type { LocalPath } from './local-path';

export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/**
 * Adds a `Set-Cookie` line on node's response, which Express keeps when it writes its
 * own headers (it sets no cookies itself).
 */
export function appendSetCookie(res: ServerResponse, cookie: string): void {
  const existing = res.getHeader('Set-Cookie');
  const lines = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('Set-Cookie', [...lines, cookie]);
}

/**
 * A rendered page as the handler's answer: HTML, never stored by browsers or shared HTTP
 * caches (pages carry the visitor's CSRF token and, signed in, their own data; only our
 * own `ResponseCache` repeats an anonymous page, with each visitor's own token).
 */
export function page(res: HttpResponse, html: string, status = 200): string {
  res.status(status);
  res.header('Content-Type', HTML_CONTENT_TYPE);
  res.header('Cache-Control', 'no-store');
  return html;
}

/**
 * Redirect-after-POST: `303 See Other`, so a reload never posts the form again. The
 * target is a {@link LocalPath}: only a path that passed `localPath` (so on this site,
 * and plain ASCII a header can carry) is ever written into `Location`.
 */
export function seeOther(res: HttpResponse, location: LocalPath): string {
  res.status(303);
  res.header('Location', location);
  return '';
}
