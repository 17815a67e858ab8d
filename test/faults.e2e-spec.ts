import { randomBytes } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { createProduct } from './support/catalog';
import { startTcpProxy, TcpProxy } from './support/tcp-proxy';
import { ADMIN, bearer, createWorld, newCustomer, startApp, TestApp, TestWorld } from './support/test-app';
import { sleep } from './support/wait';

/**
 * PostgreSQL and Redis failing under a running app, through TCP proxies the test cuts and
 * heals. Real servers only: the embedded stand-ins run in-process and cannot be cut.
 */
const REAL_SERVERS = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);
const ACQUIRE_TIMEOUT_MS = 1_000;
const POOL_MAX = 4;
/** A cut dependency must be answered for within this (the contract: 503, not a hang). */
const FAIL_FAST_MS = ACQUIRE_TIMEOUT_MS + 2_000;

/** `url` with its host and port replaced by the proxy's. */
function viaProxy(url: string, proxy: TcpProxy): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}

async function proxyFor(url: string, defaultPort: number): Promise<TcpProxy> {
  const { hostname, port } = new URL(url);
  return startTcpProxy(Number(port || defaultPort), hostname);
}

/** Polls `check` every 100 ms until it holds; fails with `what` after `timeoutMs`. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Not recovered within ${timeoutMs} ms: ${what}`);
    }
    await sleep(100);
  }
  return Date.now() - started;
}

async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Dependency faults', () => {
  let world: TestWorld;
  let pg: TcpProxy;
  let redis: TcpProxy;
  let t: TestApp | undefined;
  let admin: string;
  let buyer: Awaited<ReturnType<typeof newCustomer>>;

  /** A request timed from send to answer. */
  const timed = async (send: () => PromiseLike<{ status: number; body: Record<string, unknown> }>) => {
    const started = Date.now();
    const res = await send();
    return { res, ms: Date.now() - started };
  };
  const cacheHits = async (layer: 'l1' | 'l2') => {
    const text = (await t!.http.get('/metrics').expect(200)).text;
    return Number(new RegExp(`cache_requests_total\\{layer="${layer}",result="hit"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  };
  const uncachedList = () => t!.http.get('/v1/products').query({ q: `nothing-${randomBytes(4).toString('hex')}` });
  const myOrders = () => t!.http.get('/v1/orders').set('Authorization', buyer.auth);

  beforeAll(async () => {
    if (!REAL_SERVERS) {
      return;
    }
    world = await createWorld();
    pg = await proxyFor(world.databaseUrl!, 5432);
    redis = await proxyFor(world.redisUrl!, 6379);
    t = await startApp(world, {
      DATABASE_URL: viaProxy(world.databaseUrl!, pg),
      REDIS_URL: viaProxy(world.redisUrl!, redis),
      DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
      DB_POOL_MAX: String(POOL_MAX),
    });
    admin = await bearer(t.http, ADMIN.email, ADMIN.password);
    buyer = await newCustomer(t.http);
  });
  afterAll(async () => {
    pg?.heal();
    redis?.heal();
    await t?.close();
    await pg?.close();
    await redis?.close();
    await world?.drop();
  });

  it('bounds every statement on the real pool (statement_timeout 10 s)', async () => {
    if (!REAL_SERVERS) {
      return; // the embedded database takes no timeouts
    }
    expect(await t!.dataSource.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '10s' }]);
  });

  it('answers 503 DATABASE_UNAVAILABLE at once while PostgreSQL is cut, stays up, and recovers by itself', async () => {
    if (!REAL_SERVERS) {
      return; // the embedded database cannot be cut
    }
    const product = await createProduct(t!, admin, { stock: 20 });
    await t!.http.get(`/v1/products/${product.id}`).expect(200); // now cached in Redis
    await myOrders().expect(200);

    pg.cut();
    const attempts = [
      () => myOrders(),
      () => uncachedList(),
      () =>
        t!.http
          .post('/v1/orders')
          .set('Authorization', buyer.auth)
          .send({ items: [{ productId: product.id, quantity: 1 }] }),
      () => t!.http.post('/v1/auth/login').send({ email: buyer.email, password: buyer.password }),
    ];
    for (const attempt of attempts) {
      const { res, ms } = await timed(attempt);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect((res as unknown as { headers: Record<string, string> }).headers['retry-after']).toMatch(/^\d+$/);
      expect(ms).toBeLessThan(FAIL_FAST_MS);
    }
    // The process is up, says it is not ready, and still answers what Redis holds.
    await t!.http.get('/health/live').expect(200);
    const ready = await t!.http.get('/health/ready').expect(503);
    expect(ready.body.message).toMatch(/database/);
    await sleep(150); // past the in-process cache layer
    expect((await t!.http.get(`/v1/products/${product.id}`).expect(200)).body.id).toBe(product.id);

    pg.heal();
    await eventually('GET /v1/orders', async () => (await myOrders()).status === 200);
    await eventually('readiness', async () => (await t!.http.get('/health/ready')).status === 200);
    await t!.http
      .post('/v1/orders')
      .set('Authorization', buyer.auth)
      .send({ items: [{ productId: product.id, quantity: 1 }] })
      .expect(201);
  }, 40_000);

  it('answers 503 when no pooled connection frees up within DB_ACQUIRE_TIMEOUT_MS', async () => {
    if (!REAL_SERVERS) {
      return; // the embedded pool is one in-process session
    }
    const held: QueryRunner[] = [];
    try {
      for (let i = 0; i < POOL_MAX; i++) {
        const runner = t!.dataSource.createQueryRunner();
        await runner.connect();
        held.push(runner);
      }
      const { res, ms } = await timed(() => uncachedList());
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect(ms).toBeGreaterThanOrEqual(ACQUIRE_TIMEOUT_MS - 100);
      expect(ms).toBeLessThan(FAIL_FAST_MS);
    } finally {
      await Promise.all(held.map((runner) => runner.release()));
    }
    await uncachedList().expect(200);
  });

  it('cancels a statement stuck behind a lock after the statement timeout and answers 503', async () => {
    if (!REAL_SERVERS) {
      return;
    }
    const product = await createProduct(t!, admin, { stock: 5 });
    const locker = t!.dataSource.createQueryRunner();
    await locker.connect();
    try {
      await locker.startTransaction();
      await locker.query('SELECT id FROM products WHERE id = $1 FOR UPDATE', [product.id]);
      const { res, ms } = await timed(() =>
        t!.http
          .post('/v1/orders')
          .set('Authorization', buyer.auth)
          .send({ items: [{ productId: product.id, quantity: 1 }] }),
      );
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect(ms).toBeGreaterThanOrEqual(9_500);
      expect(ms).toBeLessThan(14_000);
    } finally {
      await locker.rollbackTransaction().catch(() => undefined);
      await locker.release();
    }
    // nothing was taken: the checkout rolled back
    expect(await t!.dataSource.query('SELECT stock FROM products WHERE id = $1', [product.id])).toEqual([{ stock: 5 }]);
  }, 30_000);

  it('serves product reads and direct checkout from PostgreSQL while Redis is cut, and recovers by itself', async () => {
    if (!REAL_SERVERS) {
      return; // the in-process stand-in cannot be cut
    }
    const product = await createProduct(t!, admin, { stock: 20 });
    await t!.http.get(`/v1/products/${product.id}`).expect(200);
    await t!.http.post('/v1/cart/items').set('Authorization', buyer.auth).send({ productId: product.id, quantity: 1 });

    redis.cut();
    await sleep(150); // past the in-process cache layer: reads must now reach PostgreSQL
    const read = await timed(() => t!.http.get(`/v1/products/${product.id}`));
    expect(read.res.status).toBe(200);
    expect(read.res.body.id).toBe(product.id);
    expect(read.ms).toBeLessThan(FAIL_FAST_MS);
    const list = await timed(() => uncachedList());
    expect(list.res.status).toBe(200);
    expect(list.ms).toBeLessThan(FAIL_FAST_MS);
    const order = await timed(() =>
      t!.http
        .post('/v1/orders')
        .set('Authorization', buyer.auth)
        .send({ items: [{ productId: product.id, quantity: 2 }] }),
    );
    expect(order.res.status).toBe(201);
    expect(order.ms).toBeLessThan(FAIL_FAST_MS);
    const cart = await t!.http.get('/v1/cart').set('Authorization', buyer.auth);
    expect({ status: cart.status, code: cart.body.code }).toEqual({ status: 503, code: 'CART_UNAVAILABLE' });
    // the lockout cannot be counted, so no password is checked
    const login = await t!.http.post('/v1/auth/login').send({ email: buyer.email, password: buyer.password });
    expect({ status: login.status, code: login.body.code }).toEqual({ status: 503, code: 'LOGIN_UNAVAILABLE' });
    expect(login.headers['retry-after']).toMatch(/^\d+$/);
    const ready = await t!.http.get('/health/ready').expect(503);
    expect(ready.body.message).toMatch(/redis/);

    redis.heal();
    await eventually('readiness', async () => (await t!.http.get('/health/ready')).status === 200);
    await t!.http.get('/v1/cart').set('Authorization', buyer.auth).expect(200);
    // The cache serves again: a product read twice, past L1, is a Redis hit the second time.
    await eventually('a Redis cache hit', async () => {
      const before = await cacheHits('l2');
      await t!.http.get(`/v1/products/${product.id}`).expect(200);
      await sleep(150);
      await t!.http.get(`/v1/products/${product.id}`).expect(200);
      return (await cacheHits('l2')) > before;
    });
  }, 40_000);

  // A write while Redis is down leaves a stale Redis copy; the cache drops it when Redis returns.
  (REAL_SERVERS ? it : it.skip)(
    'does not serve a product changed while Redis was down',
    async () => {
      const product = await createProduct(t!, admin, { stock: 20 });
      await t!.http.get(`/v1/products/${product.id}`).expect(200); // cached in Redis
      redis.cut();
      await t!.http
        .post('/v1/orders')
        .set('Authorization', buyer.auth)
        .send({ items: [{ productId: product.id, quantity: 2 }] })
        .expect(201);
      redis.heal();
      await eventually('readiness', async () => (await t!.http.get('/health/ready')).status === 200);
      await sleep(150); // past L1
      expect((await t!.http.get(`/v1/products/${product.id}`).expect(200)).body.stock).toBe(18);
    },
    30_000,
  );

  it('closes cleanly and promptly with PostgreSQL and Redis both cut', async () => {
    if (!REAL_SERVERS) {
      return;
    }
    pg.cut();
    redis.cut();
    await t!.http.get('/v1/orders').set('Authorization', buyer.auth).expect(503);
    const app = t!;
    t = undefined; // closed here, not again in afterAll
    await within(10_000, 'closing the app', app.close());
  }, 20_000);
});
