import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import { DomainError } from '../common/errors/domain-error';
import { CacheService } from './cache.service';
import { CACHED_OPTIONS, CachedOptions } from './cached.options';

/** Serves `@Cached(...)` handlers through {@link CacheService}; see the decorator. */
@Injectable()
export class CacheInterceptor implements NestInterceptor {
  constructor(
    private readonly cache: CacheService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<CachedOptions>(CACHED_OPTIONS, context.getHandler());
    const req = context.switchToHttp().getRequest<Request>();
    return from(this.read(options, req, next));
  }

  private async read(options: CachedOptions, req: Request, next: CallHandler): Promise<unknown> {
    const value = await this.cache.wrap(
      options.namespace,
      options.id(req),
      async () => {
        try {
          return await lastValueFrom(next.handle());
        } catch (error) {
          if (error instanceof DomainError && error.status === 404) {
            return null;
          }
          throw error;
        }
      },
      options.ttl,
    );
    if (value === null) {
      throw options.notFound(req);
    }
    return value;
  }
}
