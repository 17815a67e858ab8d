import { SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { CacheInterceptor } from './cache.interceptor';
import { CACHED_OPTIONS, CachedOptions } from './cached.options';

/**
 * Caches a read handler's result in both cache levels. A handler that throws a 404
 * domain error is remembered as "not found" for `nullTtlMs`, so repeated lookups of a
 * missing entry do not reach the database.
 *
 * @example
 * @Cached({
 *   namespace: 'product',
 *   id: (req) => req.params.id,
 *   ttl: { ttlMs: 300_000, nullTtlMs: 30_000 },
 *   notFound: (req) => new ProductNotFoundError(req.params.id),
 * })
 */
export function Cached(options: CachedOptions): MethodDecorator {
  return applyDecorators(SetMetadata(CACHED_OPTIONS, options), UseInterceptors(CacheInterceptor));
}
