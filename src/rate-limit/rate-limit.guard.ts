import { CanActivate, ExecutionContext, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import Redis from 'ioredis';
import { authUserOf } from '../auth/auth-user';
import { TooManyRequestsError } from '../common/errors/domain-error';
import { AppConfig } from '../config/configuration';
import { REDIS } from '../redis/redis.constants';

const WINDOW_MS = 60_000;
const SKIP_RATE_LIMIT = Symbol('SKIP_RATE_LIMIT');

/** Exempts infrastructure routes (health probes, metrics scrapes) from the per-client limit. */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT, true);

/**
 * `RATE_LIMIT_PER_MINUTE` requests per client per minute (the user when a valid token is
 * presented, else the IP), counted in fixed one-minute windows in Redis so every
 * instance shares the budget. Runs after {@link AuthGuard}, which identifies the user.
 * With Redis down the limit is not enforced rather than failing requests.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);
  private readonly limit: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly reflector: Reflector,
    config: ConfigService<AppConfig, true>,
  ) {
    this.limit = config.get('http', { infer: true }).rateLimitPerMinute;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (
      this.limit === 0 ||
      this.reflector.getAllAndOverride(SKIP_RATE_LIMIT, [context.getHandler(), context.getClass()])
    ) {
      return true;
    }
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const user = authUserOf(req);
    const client = user ? `user:${user.id}` : `ip:${req.ip ?? 'unknown'}`;
    const now = Date.now();
    const windowStart = now - (now % WINDOW_MS);
    const key = `ratelimit:${client}:${windowStart}`;

    let count: number;
    try {
      const results = await this.redis.multi().incr(key).pexpire(key, WINDOW_MS).exec();
      count = Number(results?.[0]?.[1] ?? 0);
    } catch (error) {
      this.logger.warn(`Rate limit not checked, Redis failed: ${(error as Error).message}`);
      return true;
    }

    const resetSeconds = Math.ceil((windowStart + WINDOW_MS - now) / 1_000);
    const headers = {
      'RateLimit-Limit': String(this.limit),
      'RateLimit-Remaining': String(Math.max(0, this.limit - count)),
      'RateLimit-Reset': String(resetSeconds),
    };
    if (count > this.limit) {
      throw new TooManyRequestsError('RATE_LIMITED', 'Too many requests; slow down', resetSeconds, headers);
    }
    const res = http.getResponse<Response>();
    for (const [name, value] of Object.entries(headers)) {
      res.setHeader(name, value);
    }
    return true;
  }
}
