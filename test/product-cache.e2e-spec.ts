import type Redis from 'ioredis';
import { ProductEntity } from '../src/products/product.entity';
import { REDIS } from '../src/redis/redis.constants';
import { closeSuite, openSuite, startApp, TestApp, TestWorld } from './support/test-app';
import { sleep, waitFor } from './support/wait';
import { CacheService } from '../src/cache/cache.service';
import { RedisPubSub } from '../src/redis/redis-pubsub.service';

describe('Product read cache', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;

  const createProduct = async (sku: string, price = 1000) =>
    (
      await t.http
        .post('/v1/products')
        .set('Authorization', admin)
        .send({ sku, name: `Cached ${sku}`, price, stock: 3 })
        .expect(201)
    ).body as { id: number; price: number };

  /** Counts the single-product loads that reach the database. */
  const countLoads = () => jest.spyOn(t.dataSource.getRepository(ProductEntity), 'findOneBy');

  beforeAll(async () => ({ world, t, admin } = await openSuite()));
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => closeSuite({ world, t }));

  it('remembers a missing id for 30 s: 500 lookups reach the database once', async () => {
    const loads = countLoads();
    let ttl = NaN;
    for (let i = 0; i < 500; i++) {
      const res = await t.http.get('/v1/products/424242');
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('PRODUCT_NOT_FOUND');
      if (i === 0) {
        // Read at once: 500 lookups on a loaded machine may take seconds of the 30.
        ttl = await t.app.get<Redis>(REDIS).pttl('cache:product:0:424242');
      }
      if (i === 250) {
        await sleep(150); // past the in-process layer: the Redis placeholder answers
      }
    }
    expect(loads).toHaveBeenCalledTimes(1);
    expect(ttl).toBeGreaterThan(28_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('lets 200 concurrent misses on one cold product reach the database once', async () => {
    const product = await createProduct('COLD-1');
    await sleep(150);
    const loads = countLoads();
    const answers = await Promise.all(Array.from({ length: 200 }, () => t.http.get(`/v1/products/${product.id}`)));
    expect(answers.every((res) => res.status === 200 && res.body.id === product.id)).toBe(true);
    expect(loads).toHaveBeenCalledTimes(1);
  });

  it('keeps a found product in Redis for 5 minutes', async () => {
    const product = await createProduct('TTL-1');
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    const ttl = await t.app.get<Redis>(REDIS).pttl(`cache:product:0:${product.id}`);
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
  });

  it('shows a write at once: update, delete, and a product created under a remembered missing id', async () => {
    const product = await createProduct('WRITE-1', 500);
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    const listed = await t.http.get('/v1/products').query({ q: 'WRITE-1' }).expect(200);
    expect(listed.body.items[0].price).toBe(500);

    await t.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send({ price: 777 }).expect(200);
    expect((await t.http.get(`/v1/products/${product.id}`).expect(200)).body.price).toBe(777);
    expect((await t.http.get('/v1/products').query({ q: 'WRITE-1' }).expect(200)).body.items[0].price).toBe(777);

    await t.http.delete(`/v1/products/${product.id}`).set('Authorization', admin).expect(204);
    await t.http.get(`/v1/products/${product.id}`).expect(404);
    expect((await t.http.get('/v1/products').query({ q: 'WRITE-1' }).expect(200)).body.total).toBe(0);

    const nextId = product.id + 1;
    await t.http.get(`/v1/products/${nextId}`).expect(404);
    const created = await createProduct('WRITE-2');
    expect(created.id).toBe(nextId);
    await t.http.get(`/v1/products/${nextId}`).expect(200);
  });

  it('serves repeated reads from the cache layers', async () => {
    const product = await createProduct('HITS-1');
    const loads = countLoads();
    for (let i = 0; i < 5; i++) {
      await t.http.get(`/v1/products/${product.id}`).expect(200);
    }
    expect(loads).toHaveBeenCalledTimes(1);
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(Number(/cache_requests_total\{layer="l1",result="hit"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  describe('list pages of one-off filters', () => {
    const TTL = { ttlMs: 60_000, nullTtlMs: 1_000, redisOnRepeat: true };

    it('reach Redis only when loaded a second time; their first misses still load once', async () => {
      const cache = t.app.get(CacheService);
      const redis = t.app.get<Redis>(REDIS);
      const loader = jest.fn(async () => ({ n: 1 }));
      const first = await Promise.all(Array.from({ length: 50 }, () => cache.wrapJson('once', 'a', loader, TTL)));
      expect(first.every((json) => json === '{"n":1}')).toBe(true);
      expect(loader).toHaveBeenCalledTimes(1);
      expect(await redis.exists('cache:once:0:a')).toBe(0);

      await sleep(150); // past the in-process layer: a repeat, loaded and written to Redis
      expect(await cache.wrapJson('once', 'a', loader, TTL)).toBe('{"n":1}');
      expect(loader).toHaveBeenCalledTimes(2);
      expect(await redis.exists('cache:once:0:a')).toBe(1);

      await sleep(150); // from Redis now
      expect(await cache.wrapJson('once', 'a', loader, TTL)).toBe('{"n":1}');
      expect(loader).toHaveBeenCalledTimes(2);
    });
  });

  describe('refresh-ahead of the in-process layer', () => {
    const TTL = { ttlMs: 60_000, nullTtlMs: 1_000 };
    let now: number;
    const clock = () => jest.spyOn(Date, 'now').mockImplementation(() => now);
    /** The refreshes under way are not part of the service's surface: read here only. */
    const underWay = (cache: CacheService) => (cache as unknown as { refreshing: Map<string, boolean> }).refreshing;

    it('does not bring back an entry another instance invalidated while its refresh was on the way', async () => {
      const cache = t.app.get(CacheService);
      const redis = t.app.get<Redis>(REDIS);
      now = Date.now();
      const start = now;
      clock();
      await cache.wrapJson('refresh-test', 'b', () => Promise.resolve({ n: 1 }), TTL);
      await waitFor(
        'both copies',
        async () =>
          cache.peekJson('refresh-test', 'b') !== undefined && (await redis.exists('cache:refresh-test:0:b')) === 1,
        Boolean,
      );
      // The refresh's Redis read gets the old value but answers only after the invalidation.
      const get = redis.get.bind(redis);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let refreshRead: Promise<string | null> | undefined;
      jest.spyOn(redis, 'get').mockImplementation((key: Parameters<Redis['get']>[0]) => {
        refreshRead = get(key).then(async (value) => {
          await held;
          return value;
        });
        return refreshRead as ReturnType<Redis['get']>;
      });
      now = start + 70;
      expect(cache.peekJson('refresh-test', 'b')).toBe('{"n":1}');
      await waitFor('the refresh to read Redis', () => refreshRead !== undefined, Boolean);
      // Another instance changes the value: it drops the Redis copy and tells every instance.
      await redis.del('cache:refresh-test:0:b');
      await t.app.get(RedisPubSub).publish('cache:invalidate', JSON.stringify({ keys: ['cache:refresh-test:0:b'] }));
      await waitFor(
        'the invalidation here',
        () => cache.peekJson('refresh-test', 'b'),
        (held) => held === undefined,
      );
      release();
      // The refreshes under way are not part of the service's surface: read them here only.
      await waitFor(
        'the refresh to finish',
        () => underWay(cache).size,
        (size) => size === 0,
      );
      expect(cache.peekJson('refresh-test', 'b')).toBeUndefined();
    });
  });

  describe('across instances', () => {
    let other: TestApp;

    beforeAll(async () => {
      if (world.databaseUrl) {
        other = await startApp(world);
      }
    });
    afterAll(async () => {
      await other?.close();
    });

    it('shows a write made on one instance on the other at once', async () => {
      if (!world.databaseUrl) {
        return; // two embedded apps do not share a database
      }
      const product = await createProduct('MULTI-1', 100);
      await other.http.get(`/v1/products/${product.id}`).expect(200);
      await other.http.get('/v1/products').query({ q: 'MULTI-1' }).expect(200);
      await t.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send({ price: 200 }).expect(200);
      expect((await other.http.get(`/v1/products/${product.id}`).expect(200)).body.price).toBe(200);
      expect((await other.http.get('/v1/products').query({ q: 'MULTI-1' }).expect(200)).body.items[0].price).toBe(200);
    });
  });

  describe('with Redis unreachable', () => {
    let cut: TestApp;

    beforeAll(async () => {
      if (world.redisUrl) {
        cut = await startApp(world, { REDIS_URL: 'redis://127.0.0.1:1' });
      }
    });
    afterAll(async () => {
      await cut?.close();
    });

    it('still answers reads from PostgreSQL, and readiness names Redis', async () => {
      if (!world.redisUrl) {
        return; // the in-process stand-in cannot be cut
      }
      const product = await createProduct('NO-REDIS-1');
      const started = Date.now();
      const res = await cut.http.get(`/v1/products/${product.id}`).expect(200);
      expect(res.body.sku).toBe('NO-REDIS-1');
      await cut.http.get('/v1/products/999999').expect(404);
      expect(Date.now() - started).toBeLessThan(2_000);
      const ready = await cut.http.get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ statusCode: 503, code: 'NOT_READY', message: expect.stringMatching(/redis/) });
      expect(ready.headers['retry-after']).toBeDefined();
    });
  });
});
