import type { IncomingMessage } from 'node:http';
import { DomainError } from '../common/errors/domain-error';
import type { HttpRequest } from '../common/http/http-message';
import type { WrapTtl } from './cache.service';

/** What the cache keys of a route are made of: its path parameters and its query. */
export type CacheKeySource = Pick<HttpRequest, 'params' | 'query'>;

/** A request as the cache options see it: its key source, on the node request that tells who is calling. */
export type CacheReader = CacheKeySource & IncomingMessage;

export interface CachedOptions {
  /** Cache namespace; `CacheService.invalidate(namespace, id)` drops one entry of it. */
  namespace: string;
  /** The entry's id within the namespace, from the request's parameters and query. */
  id: (req: CacheKeySource) => string;
  /** Lifetimes in Redis of a found value and of the "not found" placeholder. */
  ttl: WrapTtl;
  /** The error to answer with when the placeholder is hit: the handler threw a 404 the first time. */
  notFound: (req: CacheKeySource) => DomainError;
  /**
   * Refuses a caller before the cache is looked at (a hit must not let anyone past):
   * the error to answer, or undefined to go on.
   */
  refuse?: (req: CacheReader) => DomainError | undefined;
  /**
   * Whether the cached answer `json` is hidden from this caller, who then gets
   * `notFound`. Entries are shared by every caller, so this is asked on every answer,
   * hit or miss. Default: shown to everyone.
   */
  hides?: (json: string, req: CacheReader) => boolean;
}

export const CACHED_OPTIONS = Symbol('CACHED_OPTIONS');
