import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, Observable } from 'rxjs';
import { IS_PUBLIC } from '../common/auth-context/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import { JSON_CONTENT_TYPE, type HttpRequest, type HttpResponse } from '../common/http/http-message';
import { routeTemplateOf } from '../common/http/route-template';
import { CacheService } from './cache.service';
import { CACHED_OPTIONS, CachedOptions } from './cached.options';
import { HotReads } from './hot-reads';

/**
 * Serves `@Cached(...)` handlers through {@link CacheService}; see the decorator. Answers
 * are cached as the JSON text they are sent as, so a hit is never serialised again.
 */
@Injectable()
export class CacheInterceptor implements NestInterceptor {
  constructor(
    private readonly cache: CacheService,
    private readonly hotReads: HotReads,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<CachedOptions>(CACHED_OPTIONS, context.getHandler());
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    const template = routeTemplateOf(req);
    // Only a public route answers everyone alike, so only its repeats may skip the guards.
    if (template && this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      this.hotReads.learn(template, options);
    }
    return from(this.read(options, req, http.getResponse<HttpResponse>(), next));
  }

  private async read(options: CachedOptions, req: HttpRequest, res: HttpResponse, next: CallHandler): Promise<string> {
    const refusal = options.refuse?.(req);
    if (refusal) {
      throw refusal;
    }
    const json = await this.cache.wrapJson(
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
    if (json === null || options.hides?.(json, req)) {
      throw options.notFound(req);
    }
    res.header('Content-Type', JSON_CONTENT_TYPE);
    return json;
  }
}
