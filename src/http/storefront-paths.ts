/**
 * The storefront's pages and assets, as opposed to the JSON API (`/v1`), the probes, the
 * metrics and the docs. Pages get their own security headers and take HTML form posts.
 */
const STOREFRONT_PATH = /^\/(?:$|products\/|cart(?:\/|$)|checkout$|orders(?:\/|$)|login$|register$|logout$|assets\/)/;

export function isStorefrontPath(path: string): boolean {
  return STOREFRONT_PATH.test(path);
}
