import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { ServiceUnavailableError, TooManyRequestsError } from '../common/errors/domain-error';
import { AppConfig } from '../config/configuration';
import { REDIS } from '../redis/redis.constants';

const WINDOW_MS = 15 * 60 * 1000;

/**
 * Takes one attempt slot for an email, atomically: refused (`{0, pttl}`) when the window
 * already holds `max` slots, else counted (`{1, pttl}`), the window starting with its first
 * slot. One script, so attempts arriving together on several instances cannot all read
 * "9 of 10" and all go on to check a password. Plain `redis.call` / `tonumber` only, which
 * the in-process stand-in (ioredis-mock, Lua via fengari) runs the same way.
 *
 * KEYS[1] the email's counter; ARGV: max slots, window ms.
 */
const RESERVE_LUA = `
local taken = tonumber(redis.call('GET', KEYS[1]) or '0')
if taken >= tonumber(ARGV[1]) then
  return {0, redis.call('PTTL', KEYS[1])}
end
redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return {1, redis.call('PTTL', KEYS[1])}
`;

/** Gives a slot back (never below zero, never creating the key). KEYS[1] the email's counter. */
const RELEASE_LUA = `
local taken = tonumber(redis.call('GET', KEYS[1]) or '0')
if taken > 0 then
  redis.call('DECR', KEYS[1])
end
return taken
`;

export class LoginUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('LOGIN_UNAVAILABLE', 'Logins are unavailable for a moment; try again shortly');
  }
}

type LoginAttemptCommands = Redis & {
  loginAttemptReserve(key: string, max: number, windowMs: number): Promise<[number, number]>;
  loginAttemptRelease(key: string): Promise<number>;
};

/**
 * At most `LOGIN_MAX_FAILURES` passwords are checked per email per 15-minute window, on
 * every instance together: a login *reserves* a slot in Redis before its password is
 * verified, and only a login that fails keeps it. So the counter holds failures plus the
 * checks running right now, and N simultaneous wrong passwords check at most
 * `LOGIN_MAX_FAILURES` of them; the rest, and the right password too, answer 429
 * `TOO_MANY_LOGIN_ATTEMPTS` until the window (started by the first slot) ends.
 *
 * A successful login gives back only its own slot: it does not forgive the failures
 * before it, or an attacker guessing alongside the owner would get a fresh budget each
 * time the owner logs in. A login that never checked a password (hashing busy, database
 * down) gives its slot back too.
 *
 * With Redis down (or too slow to answer) a login answers 503 `LOGIN_UNAVAILABLE` rather
 * than checking a password the lockout could not count: unlike the rate limits, this
 * one fails closed, since "at most `LOGIN_MAX_FAILURES` checks" is a promise about
 * passwords, not about load. Tokens already issued keep working.
 */
@Injectable()
export class LoginAttempts {
  private readonly logger = new Logger(LoginAttempts.name);
  private readonly maxFailures: number;
  private readonly redis: LoginAttemptCommands;

  constructor(@Inject(REDIS) redis: Redis, config: ConfigService<AppConfig, true>) {
    this.maxFailures = config.get('auth', { infer: true }).loginMaxFailures;
    redis.defineCommand('loginAttemptReserve', { numberOfKeys: 1, lua: RESERVE_LUA });
    redis.defineCommand('loginAttemptRelease', { numberOfKeys: 1, lua: RELEASE_LUA });
    this.redis = redis as LoginAttemptCommands;
  }

  /** Takes a slot for `email`, or throws 429 `TOO_MANY_LOGIN_ATTEMPTS` while it is locked. */
  async reserve(email: string): Promise<void> {
    let granted: number;
    let remainingMs: number;
    try {
      [granted, remainingMs] = await this.redis.loginAttemptReserve(this.keyOf(email), this.maxFailures, WINDOW_MS);
    } catch (error) {
      this.logger.warn(`Login refused, the lockout could not be checked: ${(error as Error).message}`);
      throw new LoginUnavailableError();
    }
    if (granted !== 1) {
      const retryAfter = Math.max(remainingMs, 1_000) / 1_000;
      throw new TooManyRequestsError(
        'TOO_MANY_LOGIN_ATTEMPTS',
        'Too many failed logins for this email; try again later',
        retryAfter,
        {
          'RateLimit-Limit': String(this.maxFailures),
          'RateLimit-Remaining': '0',
          'RateLimit-Reset': String(Math.ceil(retryAfter)),
        },
      );
    }
  }

  /** Gives back the slot {@link reserve} took: the login succeeded, or checked no password. */
  async release(email: string): Promise<void> {
    await this.redis
      .loginAttemptRelease(this.keyOf(email))
      .catch((error: Error) => this.logger.warn(`Login slot not released: ${error.message}`));
  }

  private keyOf(email: string): string {
    return `auth:login-failures:${createHash('sha256').update(email).digest('hex')}`;
  }
}
