import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, Observable } from 'rxjs';
import { IS_PUBLIC } from '../common/auth-context/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import {
  JSON_CONTENT_TYPE,
  type HttpRequest,
  type HttpResponse,
} from '../common/http/http-message';
import { CacheService } from './cache.service';
import { CACHED_OPTIONS, CachedOptions } from './cached.options';
import { ResponseCache } from './response-cache';

/**
 * Serves `@Cached(...)` handlers through {@link CacheService}; see the decorator. Answers
 * are cached as the JSON text they are sent as, so a hit is never serialised again (an
 * L1 or L2 hit returns it without calling the handler; guards and pipes still ran). On a
 * public route the answer is also offered to the {@link ResponseCache}, which repeats it
 * for the same request target in front of the framework while L1 still holds that text.
 */
@Injectable()
export class CacheInterceptor implements NestInterceptor {
  constructor(
    private readonly cache: CacheService,
    private readonly responses: ResponseCache,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<CachedOptions>(CACHED_OPTIONS, context.getHandler());
    const http = context.switchToHttp();
    // Only a public route answers every anonymous caller alike, so only its answers may be repeated.
    const shared = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return from(this.read(options, http.getRequest<HttpRequest>(), http.getResponse<HttpResponse>(), next, shared));
  }

  private async read(
    options: CachedOptions,
    req: HttpRequest,
    res: HttpResponse,
    next: CallHandler,
    shared: boolean,
  ): Promise<string> {
    const refusal = options.refuse?.(req);
    if (refusal) {
      throw refusal;
    }
    const id = options.id(req);
    const json = await this.cache.wrapJson(
      options.namespace,
      id,
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
    if (json === null || options.hides?.(json, req)) {
      throw options.notFound(req);
    }
    res.header('Content-Type', JSON_CONTENT_TYPE);
    if (shared) {
      this.responses.offer(req, res, { namespace: options.namespace, id, json });
    }
    return json;
  }
}
