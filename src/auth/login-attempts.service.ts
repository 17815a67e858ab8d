import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { TooManyRequestsError } from '../common/errors/domain-error';
import { AppConfig } from '../config/configuration';
import { REDIS } from '../redis/redis.constants';

const WINDOW_MS = 15 * 60 * 1000;

/**
 * Failed logins per email, shared by every instance through Redis: after
 * `LOGIN_MAX_FAILURES` failures within 15 minutes, logins for that email answer 429
 * until the window passes. With Redis down the limit is not enforced (logged).
 */
@Injectable()
export class LoginAttempts {
  private readonly logger = new Logger(LoginAttempts.name);
  private readonly maxFailures: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    config: ConfigService<AppConfig, true>,
  ) {
    this.maxFailures = config.get('auth', { infer: true }).loginMaxFailures;
  }

  /** Throws 429 `TOO_MANY_LOGIN_ATTEMPTS` while `email` is locked out. */
  async assertAllowed(email: string): Promise<void> {
    try {
      const key = this.keyOf(email);
      const [[, failures], [, remainingMs]] = (await this.redis.multi().get(key).pttl(key).exec()) as [
        [unknown, string | null],
        [unknown, number],
      ];
      if (Number(failures ?? 0) >= this.maxFailures) {
        throw new TooManyRequestsError(
          'TOO_MANY_LOGIN_ATTEMPTS',
          'Too many failed logins for this email; try again later',
          Math.max(remainingMs, 1_000) / 1_000,
        );
      }
    } catch (error) {
      if (error instanceof TooManyRequestsError) {
        throw error;
      }
      this.logger.warn(`Login limit not checked, Redis failed: ${(error as Error).message}`);
    }
  }

  async recordFailure(email: string): Promise<void> {
    const key = this.keyOf(email);
    await this.redis
      .multi()
      .set(key, '0', 'PX', WINDOW_MS, 'NX')
      .incr(key)
      .exec()
      .catch((error: Error) => this.logger.warn(`Failed login not counted: ${error.message}`));
  }

  async recordSuccess(email: string): Promise<void> {
    await this.redis.del(this.keyOf(email)).catch(() => undefined);
  }

  private keyOf(email: string): string {
    return `auth:login-failures:${createHash('sha256').update(email).digest('hex')}`;
  }
}
