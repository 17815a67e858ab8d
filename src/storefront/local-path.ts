/**
 * Where a storefront answer may send the browser: a path (and query) on this site, as
 * `Location` and a form's `next` carry it. A branded string, so `seeOther` takes nothing
 * that did not pass {@link localPath}.
 */
export type LocalPath = string & { readonly __localPath: unique symbol };

/** A base no request can name: a target that resolves elsewhere is not ours. */
const BASE = new URL('http://origin.invalid/');

/**
 * C0 controls, DEL and the backslash: browsers drop tabs and newlines from a URL and read
 * `\` as `/`, so `/\t/evil.example` or `/\evil.example` leave the site; and CR, LF or any
 * byte outside ASCII cannot be written into a header at all.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/** Percent escapes decoded byte by byte, as a browser or a proxy in between might read them. */
const decodedEscapes = (text: string) =>
  text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/**
 * `next` when it names a path on this site, normalised (WHATWG URL parsing: dot segments
 * resolved, anything outside ASCII percent-encoded, no fragment), or `fallback`. Only a
 * target that starts with one `/` is taken, and after parsing it must still be this
 * origin's path and not start with `//` (`/.//evil` resolves to `//evil`). Anything with
 * a control character or a backslash, raw or percent-encoded, is refused whole.
 *
 * @example
 * localPath('/cart?x=1#top') // '/cart?x=1'
 * localPath('/\t/evil.example') // '/'
 */
export function localPath(next: unknown, fallback = '/'): LocalPath {
  if (typeof next !== 'string' || !next.startsWith('/') || UNSAFE.test(next) || UNSAFE.test(decodedEscapes(next))) {
    return fallback as LocalPath;
  }
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback as LocalPath;
  }
  const path = `${url.pathname}${url.search}`;
  if (url.origin !== BASE.origin || !path.startsWith('/') || path.startsWith('//')) {
    return fallback as LocalPath;
  }
  return path as LocalPath;
}
