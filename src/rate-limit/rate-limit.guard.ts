import { CanActivate, ExecutionContext, Injectable, SetMetadata, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { authUserOf } from '../auth/auth-user';
import { TooManyRequestsError } from '../common/errors/domain-error';
import { HttpResponse, type RouteHandler } from '../common/http/http-message';
import { RateLimiter } from './rate-limiter';

const SKIP_RATE_LIMIT = Symbol('SKIP_RATE_LIMIT');

/** Exempts infrastructure routes (health probes, metrics scrapes) from the per-client limit. */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT, true);

/** Whether the per-client limit applies to a route (when it is on at all). */
export function isRateLimitedRoute(reflector: Reflector, handler: RouteHandler, controller: Type): boolean {
  return !reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [handler, controller]);
}

/**
 * Applies {@link RateLimiter} to every route but `@SkipRateLimit()` ones: over the budget
 * is a 429 `RATE_LIMITED` with `Retry-After`; within it, the `RateLimit-*` headers tell
 * what is left. Runs after `AuthGuard`, which identifies the user.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.limiter.enabled || !isRateLimitedRoute(this.reflector, context.getHandler(), context.getClass())) {
      return true;
    }
    const http = context.switchToHttp();
    const req = http.getRequest<object>();
    const decision = await this.limiter.admit(req, authUserOf(req));
    if (!decision) {
      return true;
    }
    if (!decision.allowed) {
      throw new TooManyRequestsError(
        'RATE_LIMITED',
        'Too many requests; slow down',
        decision.resetSeconds,
        decision.headers,
      );
    }
    const res = http.getResponse<HttpResponse>();
    for (const [name, value] of Object.entries(decision.headers)) {
      res.header(name, value);
    }
    return true;
  }
}
