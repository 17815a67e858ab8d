import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type Redis from 'ioredis';
import RedisMock from 'ioredis-mock';
import { randomUUID } from 'node:crypto';
import { MetricsService } from '../metrics/metrics.service';
import { RedisPubSub } from '../redis/redis-pubsub.service';
import { REDIS } from '../redis/redis.constants';
import { CacheService } from './cache.service';

const TTL = { ttlMs: 60_000, nullTtlMs: 60_000 };

/**
 * An in-process Redis that can be taken down and brought back: while down every command
 * fails as the fail-fast client's do; `bringBack` emits `ready` as a reconnected client does.
 * `direct` reaches the data as it is, as another instance (or a look at the server) would.
 */
function flakyRedis() {
  const direct = new RedisMock({ keyPrefix: `cache-spec:${randomUUID()}:` }) as unknown as Redis;
  let down = false;
  const passThrough = new Set(['on', 'once', 'off', 'emit', 'removeListener', 'listeners', 'status', 'options']);
  const client = new Proxy(direct, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || passThrough.has(String(property))) {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (...args: unknown[]) =>
        down
          ? Promise.reject(new Error('Connection is closed.'))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return {
    client,
    direct,
    takeDown: () => (down = true),
    bringBack: () => {
      down = false;
      direct.emit('ready');
    },
  };
}

/** The broadcast between instances, recorded; `resubscribed` plays a subscription that came back. */
class FakePubSub {
  readonly published: Array<{ channel: string; message: unknown }> = [];
  private readonly handlers = new Map<string, Array<(message: string) => void>>();
  private readonly resyncs: Array<() => void> = [];

  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
  }
  onResubscribed(resync: () => void): void {
    this.resyncs.push(resync);
  }
  async publish(channel: string, message: string): Promise<boolean> {
    this.published.push({ channel, message: JSON.parse(message) });
    return true;
  }
  resubscribed(): void {
    this.resyncs.forEach((resync) => resync());
  }
}

/** Until `check` holds: the replay after `ready` runs on its own, not awaited by anyone. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) {
      return;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('The condition never held');
}

describe('CacheService (service, with a Redis that goes down and comes back)', () => {
  let module: TestingModule;
  let cache: CacheService;
  let redis: ReturnType<typeof flakyRedis>;
  let pubsub: FakePubSub;
  let warn: jest.SpyInstance;

  beforeEach(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    redis = flakyRedis();
    pubsub = new FakePubSub();
    module = await Test.createTestingModule({
      providers: [
        CacheService,
        MetricsService,
        { provide: REDIS, useValue: redis.client },
        { provide: RedisPubSub, useValue: pubsub },
      ],
    }).compile();
    await module.init();
    cache = module.get(CacheService);
  });

  afterEach(async () => {
    await module.close();
    redis.direct.disconnect();
    warn.mockRestore();
  });

  /** The Redis keys of the product cache, as stored. */
  const productKeys = () => redis.direct.keys('*cache:product:*');

  it('reads through to the loader while Redis is down, and logs it', async () => {
    redis.takeDown();
    const loader = jest.fn(async () => ({ id: 1, name: 'kettle' }));
    expect(await cache.wrap('product', '1', loader, TTL)).toEqual({ id: 1, name: 'kettle' });
    expect(loader).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Redis cache unavailable'));
  });

  it('drops, once Redis is back, the Redis copy of an entry invalidated while it was down', async () => {
    await cache.wrap('product', '1', async () => ({ id: 1, stock: 5 }), TTL);
    expect(await productKeys()).toHaveLength(1);

    redis.takeDown();
    await cache.invalidate('product', '1');
    // The delete could not reach Redis: its copy outlives the write, for now.
    expect(await productKeys()).toHaveLength(1);

    redis.bringBack();
    await eventually(async () => (await productKeys()).length === 0);
    // … and every instance is told again to drop its L1 copy.
    const key = pubsub.published.at(-1)?.message as { keys?: string[] };
    expect(key.keys).toEqual(['cache:product:0:1']);
    const loader = jest.fn(async () => ({ id: 1, stock: 4 }));
    expect(await cache.wrap('product', '1', loader, TTL)).toEqual({ id: 1, stock: 4 });
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('stores, once Redis is back, a namespace generation moved while it was down', async () => {
    redis.takeDown();
    await cache.invalidateNamespace('product-list');
    const moved = (pubsub.published.at(-1)?.message as { generation: { value: string } }).generation.value;
    expect(await redis.direct.get('cache:generation:product-list')).toBeNull();

    redis.bringBack();
    await eventually(async () => (await redis.direct.get('cache:generation:product-list')) === moved);
  });

  it('forgets the generations it knew when its subscription comes back: another instance may have moved one', async () => {
    await cache.wrap('product-list', 'page-1', async () => ['old'], TTL);
    // Meanwhile, while this instance heard nothing, another one moved the generation.
    await redis.direct.set('cache:generation:product-list', 'moved-elsewhere');
    const loader = jest.fn(async () => ['new']);
    expect(await cache.wrap('product-list', 'page-1', loader, TTL)).toEqual(['old']);

    pubsub.resubscribed();
    await eventually(async () => (await cache.wrap('product-list', 'page-1', loader, TTL))?.[0] === 'new');
    expect(loader).toHaveBeenCalledTimes(1);
    expect(await redis.direct.keys('*cache:product-list:moved-elsewhere:page-1')).toHaveLength(1);
  });

  it('tells every instance to drop an invalidated entry, and loads it again itself', async () => {
    const loader = jest.fn(async () => ({ id: 2 }));
    await cache.wrap('product', '2', loader, TTL);
    await cache.invalidate('product', '2');
    expect(pubsub.published.at(-1)).toEqual({ channel: 'cache:invalidate', message: { keys: ['cache:product:0:2'] } });
    await cache.wrap('product', '2', loader, TTL);
    expect(loader).toHaveBeenCalledTimes(2);
  });
  describe('a fill that began before an invalidation of its key', () => {
    /** A loader that answers `value` once released: a database read that began before a write committed. */
    function heldLoader<T>(value: T) {
      let release!: () => void;
      let begin!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const started = new Promise<void>((resolve) => (begin = resolve));
      const loader = jest.fn(async () => {
        begin();
        await held;
        return value;
      });
      return { loader, started, release };
    }

    it('stores nothing, in Redis or in L1, when another instance invalidated it meanwhile', async () => {
      // Another instance on the same Redis, which this one has not heard from yet.
      const other = new CacheService(redis.client, new FakePubSub() as unknown as RedisPubSub, new MetricsService());
      const old = heldLoader({ id: 1, price: 100 });
      const reading = cache.wrap('product', '1', old.loader, TTL);
      await old.started;
      await other.invalidate('product', '1');
      old.release();
      // Its own waiters get what it read (they asked before the write answered) …
      expect(await reading).toEqual({ id: 1, price: 100 });
      // … but it lands nowhere: not in Redis after the other instance's delete, not in L1.
      expect(await productKeys()).toHaveLength(0);
      const fresh = jest.fn(async () => ({ id: 1, price: 200 }));
      expect(await cache.wrap('product', '1', fresh, TTL)).toEqual({ id: 1, price: 200 });
      expect(await other.wrap('product', '1', fresh, TTL)).toEqual({ id: 1, price: 200 });
      expect(fresh).toHaveBeenCalledTimes(1);
    });

    it('is not joined by a miss that comes after the invalidation', async () => {
      const old = heldLoader({ id: 1, price: 100 });
      const before = cache.wrap('product', '1', old.loader, TTL);
      await old.started;
      await cache.invalidate('product', '1');
      const after = cache.wrap('product', '1', async () => ({ id: 1, price: 200 }), TTL);
      old.release();
      expect(await before).toEqual({ id: 1, price: 100 });
      expect(await after).toEqual({ id: 1, price: 200 });
      expect(await cache.wrap('product', '1', old.loader, TTL)).toEqual({ id: 1, price: 200 });
      expect(old.loader).toHaveBeenCalledTimes(1);
    });
  });

  it('sends invalidations issued together as one message, each answered once Redis has them', async () => {
    for (const id of ['1', '2', '3']) {
      await cache.wrap('product', id, async () => ({ id }), TTL);
    }
    const before = pubsub.published.length;
    // Three checkouts committing at once: each drops its product and moves the list generation on.
    await Promise.all(
      ['1', '2', '3'].map((id) =>
        Promise.all([cache.invalidate('product', id), cache.invalidateNamespace('product-list')]),
      ),
    );
    expect(await productKeys()).toHaveLength(0);
    const sent = pubsub.published
      .slice(before)
      .map(({ message }) => message as { keys: string[]; generation: { value: string } });
    expect(sent).toHaveLength(1);
    expect([...sent[0].keys].sort()).toEqual(['cache:product:0:1', 'cache:product:0:2', 'cache:product:0:3']);
    expect(await redis.direct.get('cache:generation:product-list')).toBe(sent[0].generation.value);
  });
});
