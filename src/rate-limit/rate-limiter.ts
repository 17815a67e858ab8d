import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import type { IncomingMessage } from 'node:http';
import type { AuthUser } from '../common/auth-context/auth-user';
import { AppConfig } from '../config/configuration';
import { REDIS } from '../redis/redis.constants';
import { clientKeyOf } from './client-key';

const WINDOW_MS = 60_000;

/**
 * The budgets a request may draw on, each in a key space of its own: `general` on every
 * route (`RATE_LIMIT_PER_MINUTE`), `auth` on login and register besides
 * (`AUTH_RATE_LIMIT_PER_MINUTE`), so password guessing and sign-up floods meet a far
 * lower ceiling than browsing.
 */
export type RateBudget = 'general' | 'auth';

const DECISION = Symbol('rateDecision');
type WithDecision = IncomingMessage & { [DECISION]?: Promise<RateDecision | undefined> };

/** One request counted against its client's budget. */
export interface RateDecision {
  allowed: boolean;
  /** `RateLimit-Limit`, `-Remaining`, `-Reset`: sent with the answer either way. */
  headers: Record<string, string>;
  /** Seconds until the window ends (`Retry-After` of a 429). */
  resetSeconds: number;
}

/**
 * Requests per client per minute (the user when a valid token is presented, else the
 * address `TRUST_PROXY` settles), counted in fixed one-minute windows in Redis so every
 * instance shares each budget. With Redis down the limit is not enforced rather than
 * failing requests (`undefined`).
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly limits: Record<RateBudget, number>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    config: ConfigService<AppConfig, true>,
  ) {
    const http = config.get('http', { infer: true });
    this.limits = { general: http.rateLimitPerMinute, auth: http.authRateLimitPerMinute };
  }

  /** Whether `budget` is counted at all (`0` turns it off). */
  enabled(budget: RateBudget = 'general'): boolean {
    return this.limits[budget] > 0;
  }

  /**
   * Counts `req` against its client's general budget once, and gives that decision to
   * every caller for the same request: the response cache for a repeat it would answer,
   * and `RateLimitGuard` in the pipeline (which answers the 429 of a repeat over the
   * budget). `undefined`: not counted (the limit is off, or Redis did not answer).
   */
  admit(req: IncomingMessage, user: AuthUser | undefined): Promise<RateDecision | undefined> {
    const counted = req as WithDecision;
    counted[DECISION] ??= this.enabled() ? this.consume(clientKeyOf(req, user)) : Promise.resolve(undefined);
    return counted[DECISION];
  }

  async consume(clientKey: string, budget: RateBudget = 'general'): Promise<RateDecision | undefined> {
    const limit = this.limits[budget];
    const now = Date.now();
    const windowStart = now - (now % WINDOW_MS);
    const space = budget === 'general' ? 'ratelimit' : `ratelimit-${budget}`;
    const key = `${space}:${clientKey}:${windowStart}`;
    let count: number;
    try {
      const results = await this.redis.multi().incr(key).pexpire(key, WINDOW_MS).exec();
      count = Number(results?.[0]?.[1] ?? 0);
    } catch (error) {
      this.logger.warn(`Rate limit not checked, Redis failed: ${(error as Error).message}`);
      return undefined;
    }
    const resetSeconds = Math.ceil((windowStart + WINDOW_MS - now) / 1_000);
    return {
      allowed: count <= limit,
      resetSeconds,
      headers: {
        'RateLimit-Limit': String(limit),
        'RateLimit-Remaining': String(Math.max(0, limit - count)),
        'RateLimit-Reset': String(resetSeconds),
      },
    };
  }
}
