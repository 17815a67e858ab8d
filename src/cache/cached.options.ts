import type { Request } from 'express';
import { DomainError } from '../common/errors/domain-error';
import type { WrapTtl } from './cache.service';

export interface CachedOptions {
  /** Cache namespace; `CacheService.invalidate(namespace, id)` drops one entry of it. */
  namespace: string;
  /** The entry's id within the namespace, from the raw request. */
  id: (req: Request) => string;
  /** Lifetimes in Redis of a found value and of the "not found" placeholder. */
  ttl: WrapTtl;
  /** The error to answer with when the placeholder is hit: the handler threw a 404 the first time. */
  notFound: (req: Request) => DomainError;
}

export const CACHED_OPTIONS = Symbol('CACHED_OPTIONS');
