import Redis, { RedisOptions } from 'ioredis';

/**
 * Fail fast rather than queue: with ioredis defaults a Redis that is down blocks every
 * call for 10–60 s. Without an offline queue and with a short command timeout a call
 * fails at once, so callers fall through to PostgreSQL and recover when Redis returns.
 */
export const FAIL_FAST_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 250,
  connectTimeout: 2_000,
  lazyConnect: true,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  // Commands issued together (a write's cache invalidations, a checkout's after-commit
  // work) leave in one socket write rather than one each.
  enableAutoPipelining: true,
};

/** A real ioredis client for `url`, or, with no url, an in-process stand-in with the same interface. */
export function createRedisClient(url: string | undefined, keyPrefix: string): Redis {
  if (!url) {
    // Required only here: the stand-in (and the Lua VM it carries) is not loaded with a real Redis.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const RedisMock = require('ioredis-mock') as typeof import('ioredis-mock');
    return new RedisMock({ keyPrefix }) as unknown as Redis;
  }
  return new Redis(url, { ...FAIL_FAST_OPTIONS, keyPrefix });
}

/** Waits until the client is ready, or gives up after `timeoutMs` and lets it keep reconnecting. */
export async function connectWithin(client: Redis, timeoutMs: number): Promise<boolean> {
  if (!(client instanceof Redis) || client.status === 'ready') {
    // the in-process stand-in is always ready
    return true;
  }
  if (client.status === 'wait') {
    client.connect().catch(() => undefined);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onReady = () => finish(true);
    function finish(ready: boolean) {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    }
    client.once('ready', onReady);
  });
}
