import { CanActivate, ExecutionContext, Injectable, SetMetadata, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { authUserOf } from '../common/auth-context/auth-user';
import { TooManyRequestsError } from '../common/errors/domain-error';
import { HttpResponse, type RouteHandler } from '../common/http/http-message';
import { RateBudget, RateDecision, RateLimiter } from './rate-limiter';
import { clientKeyOf } from './client-key';

const SKIP_RATE_LIMIT = Symbol('SKIP_RATE_LIMIT');
const EXTRA_BUDGET = Symbol('EXTRA_BUDGET');

/** Exempts infrastructure routes (health probes, metrics scrapes) from every per-client limit. */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT, true);

/** Makes a route draw on `budget` too, on top of the general one (login and register: `auth`). */
export const RateLimit = (budget: Exclude<RateBudget, 'general'>) => SetMetadata(EXTRA_BUDGET, budget);

/** Whether the per-client limit applies to a route (when it is on at all). */
export function isRateLimitedRoute(reflector: Reflector, handler: RouteHandler, controller: Type): boolean {
  return !reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [handler, controller]);
}

/**
 * Applies {@link RateLimiter} to every route but `@SkipRateLimit()` ones: over a budget
 * is a 429 `RATE_LIMITED` with `Retry-After`; within it, the `RateLimit-*` headers tell
 * what is left (of the route's own budget, when it has one: it is the tighter). Runs
 * after `AuthGuard`, which identifies the user.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!isRateLimitedRoute(this.reflector, context.getHandler(), context.getClass())) {
      return true;
    }
    const http = context.switchToHttp();
    const req = http.getRequest<IncomingMessage>();
    const user = authUserOf(req);
    const clientKey = clientKeyOf(req, user);
    const extra = this.reflector.getAllAndOverride<RateBudget | undefined>(EXTRA_BUDGET, [
      context.getHandler(),
      context.getClass(),
    ]);
    const decisions: RateDecision[] = [];
    for (const budget of extra ? (['general', extra] as const) : (['general'] as const)) {
      if (!this.limiter.enabled(budget)) {
        continue;
      }
      // The general budget counts a request once, also when the response cache asked first.
      const decision =
        budget === 'general' ? await this.limiter.admit(req, user) : await this.limiter.consume(clientKey, budget);
      if (!decision) {
        continue;
      }
      if (!decision.allowed) {
        throw new TooManyRequestsError(
          'RATE_LIMITED',
          'Too many requests; slow down',
          decision.resetSeconds,
          decision.headers,
        );
      }
      decisions.push(decision);
    }
    const res = http.getResponse<HttpResponse>();
    for (const decision of decisions) {
      for (const [name, value] of Object.entries(decision.headers)) {
        res.header(name, value);
      }
    }
    return true;
  }
}
