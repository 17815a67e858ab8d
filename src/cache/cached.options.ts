import { DomainError } from '../common/errors/domain-error';
import type { HttpRequest } from '../common/http/http-message';
import type { WrapTtl } from './cache.service';

/** What the cache keys of a route are made of: its path parameters and its query. */
export type CacheKeySource = Pick<HttpRequest, 'params' | 'query'>;

export interface CachedOptions {
  /** Cache namespace; `CacheService.invalidate(namespace, id)` drops one entry of it. */
  namespace: string;
  /** The entry's id within the namespace, from the request's parameters and query. */
  id: (req: CacheKeySource) => string;
  /** Lifetimes in Redis of a found value and of the "not found" placeholder. */
  ttl: WrapTtl;
  /** The error to answer with when the placeholder is hit: the handler threw a 404 the first time. */
  notFound: (req: CacheKeySource) => DomainError;
}

export const CACHED_OPTIONS = Symbol('CACHED_OPTIONS');
