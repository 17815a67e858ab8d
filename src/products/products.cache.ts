import type { CacheKeySource, CachedOptions } from '../cache/cached.options';
import { parseId } from '../common/http/id-param.pipe';
import { ProductNotFoundError } from './products.errors';

/** Cache namespace of single products, keyed by id. */
export const PRODUCT_CACHE = 'product';
/** Found products stay 5 minutes in Redis; "not found" placeholders 30 s. */
export const PRODUCT_CACHE_TTL = { ttlMs: 300_000, nullTtlMs: 30_000 };

/** Cache namespace of list pages, keyed by their query; any product write drops them all. */
export const PRODUCT_LIST_CACHE = 'products';

/**
 * "7" and "007" name one product, so they share one cache entry. Parsed as `IdParamPipe`
 * parses it: text the pipe refuses keys no entry, and reaches the pipe's 400.
 */
function canonicalId(raw: string): string {
  return String(parseId(raw) ?? `invalid:${raw}`);
}

function canonicalQuery(req: CacheKeySource): string {
  const entries = Object.entries(req.query).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

export const CACHED_PRODUCT: CachedOptions = {
  namespace: PRODUCT_CACHE,
  ttl: PRODUCT_CACHE_TTL,
  id: (req) => canonicalId(String(req.params.id)),
  notFound: (req) => new ProductNotFoundError(canonicalId(String(req.params.id))),
};

export const CACHED_PRODUCT_LIST: CachedOptions = {
  namespace: PRODUCT_LIST_CACHE,
  ttl: PRODUCT_CACHE_TTL,
  id: canonicalQuery,
  notFound: () => new ProductNotFoundError('list'),
};

/**
 * The list-cache id of a validated query, for readers other than the HTTP route (the
 * storefront's catalog). Same namespace, so every product write drops these entries too;
 * the prefix keeps them apart from the route's entries, which hold the route's JSON for
 * the raw query string.
 */
export function listQueryCacheId(query: object): string {
  const entries = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return `query:${JSON.stringify(entries)}`;
}
