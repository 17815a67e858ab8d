import { authUserOf } from '../common/auth-context/auth-user';
import type { CacheReader, CachedOptions } from '../cache/cached.options';
import { parseIntQuery } from '../common/http/dto-fields';
import { parseId } from '../common/http/id-param.pipe';
import { ListProductsQuery } from './dto/list-products.query';
import { listRefusal, seesUnreleased } from './product-visibility';
import { ProductNotFoundError } from './products.errors';

/** Cache namespace of single products, keyed by id. */
export const PRODUCT_CACHE = 'product';
/** Found products stay 5 minutes in Redis; "not found" placeholders 30 s. */
export const PRODUCT_CACHE_TTL = { ttlMs: 300_000, nullTtlMs: 30_000 };

/** Cache namespace of list pages, keyed by their query; any product write drops them all. */
export const PRODUCT_LIST_CACHE = 'products';
/**
 * List pages live as products do, but reach Redis only when loaded a second time: most
 * filters (a price, a search text) are asked once, and writing each such page to Redis
 * cost a serialisation and a write for a key nobody reads again.
 */
export const PRODUCT_LIST_CACHE_TTL = { ...PRODUCT_CACHE_TTL, redisOnRepeat: true };

/**
 * "7" and "007" name one product, so they share one cache entry. Parsed as `IdParamPipe`
 * parses it: text the pipe refuses keys no entry, and reaches the pipe's 400.
 */
function canonicalId(raw: string): string {
  return String(parseId(raw) ?? `invalid:${raw}`);
}

/**
 * Whether a product's cached JSON text (`ProductDto`, flat, as `JSON.stringify` wrote it)
 * says it is on sale. Outside the structure every quote inside a string is escaped, so
 * this unescaped sequence can only be the `status` member itself: no name or
 * description can fake it, and no parse is needed on the hot path.
 */
export function isActiveProductJson(json: string): boolean {
  return json.includes('"status":"active"');
}

export const CACHED_PRODUCT: CachedOptions = {
  namespace: PRODUCT_CACHE,
  ttl: PRODUCT_CACHE_TTL,
  id: (req) => canonicalId(String(req.params.id)),
  notFound: (req) => new ProductNotFoundError(canonicalId(String(req.params.id))),
  // One entry per product, whatever its status (the cart reads it too); who sees an
  // unreleased one is the products' visibility rule.
  hides: (json, req: CacheReader) => !isActiveProductJson(json) && !seesUnreleased(authUserOf(req)),
};

export const CACHED_PRODUCT_LIST: CachedOptions = {
  namespace: PRODUCT_LIST_CACHE,
  ttl: PRODUCT_LIST_CACHE_TTL,
  id: (req) => listQueryCacheId(req.query),
  notFound: () => new ProductNotFoundError('list'),
  // Before the cache: a page an admin listed must not be served to anyone else.
  refuse: (req) => listRefusal(req.query.status, authUserOf(req)),
};

/** What an absent list parameter means: the query DTO's own defaults. */
const LIST_DEFAULTS: Readonly<Record<string, unknown>> = { ...new ListProductsQuery() };
/** The list parameters that are integers, read as `IntQuery` reads them. */
const INT_PARAMETERS = new Set(['page', 'pageSize', 'minPrice', 'maxPrice']);

/**
 * The list-cache id of a query: the values it parses to, not the text it was sent as, so
 * `page=0005000` and `page=5000`, parameters in another order, and a default given or left
 * out name one entry — and one database load for concurrent misses, which the cache
 * coalesces by key. Made alike from the route's raw query (before validation: an
 * interceptor runs first) and from a page's validated DTO, which share entries. Every
 * name and value that does not parse is kept as sent: such a query keys no valid one's
 * entry, and reaches validation's 400.
 */
export function listQueryCacheId(query: Readonly<Record<string, unknown>> | ListProductsQuery): string {
  const values = new Map<string, unknown>(Object.entries(LIST_DEFAULTS));
  for (const [name, value] of Object.entries(query)) {
    values.set(name, INT_PARAMETERS.has(name) ? parseIntQuery(value) : value);
  }
  const entries = [...values].filter(([, value]) => value !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(entries);
}
