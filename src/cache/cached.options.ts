import type { Request } from 'express';
import { DomainError } from '../common/errors/domain-error';

export interface CachedOptions {
  /** Cache namespace; `CacheService.invalidate(namespace, id)` drops one entry of it. */
  namespace: string;
  /** The entry's id within the namespace, from the raw request. */
  id: (req: Request) => string;
  /** Lifetime of a found value in Redis (default 5 min). */
  ttlMs?: number;
  /** Lifetime of the "not found" placeholder (default 30 s). */
  nullTtlMs?: number;
  /** The error to answer with when the placeholder is hit: the handler threw a 404 the first time. */
  notFound: (req: Request) => DomainError;
}

export const CACHED_OPTIONS = Symbol('CACHED_OPTIONS');
