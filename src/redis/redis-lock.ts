import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { REDIS } from './redis.constants';

/** Deletes the lock only if it still holds our token, so a lock that expired and was re-taken is left alone. */
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export type LockResult = { state: 'acquired'; token: string } | { state: 'busy' } | { state: 'unavailable' };

/**
 * A short-lived mutual-exclusion lock in Redis (`SET NX PX` + token-checked release).
 * When Redis cannot be reached the answer is `unavailable`, never an exception: callers
 * fall back to what the database guarantees.
 */
@Injectable()
export class RedisLock {
  private readonly logger = new Logger(RedisLock.name);

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async acquire(key: string, ttlMs: number): Promise<LockResult> {
    const token = randomUUID();
    try {
      const reply = await this.redis.set(`lock:${key}`, token, 'PX', ttlMs, 'NX');
      return reply === 'OK' ? { state: 'acquired', token } : { state: 'busy' };
    } catch (error) {
      this.logger.warn(`Lock ${key} not taken, Redis failed: ${(error as Error).message}`);
      return { state: 'unavailable' };
    }
  }

  async release(key: string, lock: LockResult): Promise<void> {
    if (lock.state !== 'acquired') {
      return;
    }
    await this.redis.eval(RELEASE_SCRIPT, 1, `lock:${key}`, lock.token).catch((error: Error) => {
      this.logger.warn(`Lock ${key} not released (it expires by itself): ${error.message}`);
    });
  }
}
