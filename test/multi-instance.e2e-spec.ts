import { createProduct, stockOf } from './support/catalog';
import { ADMIN, bearer, createWorld, newCustomer, startApp, TestApp, TestWorld } from './support/test-app';
import { sleep } from './support/wait';

/**
 * Two instances on one database and one Redis, as two replicas behind a load balancer:
 * whatever one of them is told, the other honours. Real servers only: the embedded
 * database and the Redis stand-in belong to one process each.
 */
const REAL_SERVERS = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

/** Polls `check` every 25 ms; returns how long it took to hold, or throws after `timeoutMs`. */
async function within(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await sleep(25);
  }
  return Date.now() - started;
}

describe('Several instances', () => {
  let world: TestWorld;
  let a: TestApp;
  let b: TestApp;
  let admin: string;

  beforeAll(async () => {
    if (!REAL_SERVERS) {
      return;
    }
    world = await createWorld();
    // A one-second payment timeout on both, for the sweep test; no other test places orders.
    a = await startApp(world, { PAYMENT_TIMEOUT_SECONDS: '1' });
    b = await startApp(world, { PAYMENT_TIMEOUT_SECONDS: '1' });
    admin = await bearer(a.http, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await world?.drop();
  });

  it('shows a product written on A on B at once, by id and in lists', async () => {
    if (!REAL_SERVERS) {
      return; // one process only on the embedded defaults
    }
    const product = await createProduct(a, admin, { price: 100 });
    const listOnB = () => b.http.get('/v1/products').query({ q: product.sku }).expect(200);
    // B has both cached, in-process and in Redis.
    expect((await b.http.get(`/v1/products/${product.id}`).expect(200)).body.price).toBe(100);
    expect((await listOnB()).body.items.map((item: { price: number }) => item.price)).toEqual([100]);

    await a.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send({ price: 250 }).expect(200);
    expect((await b.http.get(`/v1/products/${product.id}`).expect(200)).body.price).toBe(250);
    expect((await listOnB()).body.items.map((item: { price: number }) => item.price)).toEqual([250]);

    await a.http.delete(`/v1/products/${product.id}`).set('Authorization', admin).expect(204);
    await b.http.get(`/v1/products/${product.id}`).expect(404);
    expect((await listOnB()).body.items).toEqual([]);
  });

  it('honours a logout on A on B within a second', async () => {
    if (!REAL_SERVERS) {
      return;
    }
    const user = await newCustomer(a.http);
    await b.http.get('/v1/auth/me').set('Authorization', user.auth).expect(200);
    await a.http.post('/v1/auth/logout').set('Authorization', user.auth).expect(204);
    await within(1_000, 'B refuses the revoked token', async () => {
      return (await b.http.get('/v1/auth/me').set('Authorization', user.auth)).status === 401;
    });
    // and keeps refusing it: B's local mirror holds it, not a lucky read
    for (let i = 0; i < 5; i++) {
      await b.http.get('/v1/auth/me').set('Authorization', user.auth).expect(401);
    }
  });

  it('reads on B the cart written on A, and the other way round', async () => {
    if (!REAL_SERVERS) {
      return;
    }
    const user = await newCustomer(a.http);
    const product = await createProduct(a, admin, { price: 300, stock: 10 });
    await a.http
      .post('/v1/cart/items')
      .set('Authorization', user.auth)
      .send({ productId: product.id, quantity: 2 })
      .expect(200);
    const onB = await b.http.get('/v1/cart').set('Authorization', user.auth).expect(200);
    expect(onB.body).toMatchObject({ items: [{ productId: product.id, quantity: 2 }], totalQuantity: 2, total: 600 });

    await b.http.put(`/v1/cart/items/${product.id}`).set('Authorization', user.auth).send({ quantity: 3 }).expect(200);
    expect((await a.http.get('/v1/cart').set('Authorization', user.auth).expect(200)).body.total).toBe(900);
  });

  it('cancels each expired pending order exactly once with both instances sweeping', async () => {
    if (!REAL_SERVERS) {
      return;
    }
    const cancelledCount = async () => {
      let total = 0;
      for (const instance of [a, b]) {
        const text = (await instance.http.get('/metrics').expect(200)).text;
        total += Number(/orders_cancelled_total\{reason="payment_timeout"\} (\d+)/.exec(text)?.[1] ?? 0);
      }
      return total;
    };
    const before = await cancelledCount();
    const buyer = await newCustomer(a.http);
    const product = await createProduct(a, admin, { stock: 20 });
    const orders: number[] = [];
    for (let i = 0; i < 10; i++) {
      const via = i % 2 === 0 ? a : b;
      const res = await via.http
        .post('/v1/orders')
        .set('Authorization', buyer.auth)
        .send({ items: [{ productId: product.id, quantity: 1 }] })
        .expect(201);
      orders.push(res.body.id);
    }

    await within(15_000, 'every order cancelled', async () => {
      const rows = await a.dataSource.query(`SELECT status FROM orders WHERE id = ANY($1)`, [orders]);
      return rows.every((row: { status: string }) => row.status === 'cancelled');
    });
    await sleep(1_500); // several more sweeps on each instance: none may cancel again

    const events = await a.dataSource.query(
      `SELECT order_id, data->>'reason' AS reason FROM order_events
       WHERE type = 'OrderCancelled' AND order_id = ANY($1) ORDER BY order_id`,
      [orders],
    );
    expect(events).toEqual(orders.map((id) => ({ order_id: id, reason: 'payment_timeout' })));
    // one outbox message per cancellation, as NATS would receive them
    const [{ messages }] = await a.dataSource.query(
      `SELECT count(*)::int AS messages FROM outbox
       WHERE subject = 'mall.orders.OrderCancelled' AND (payload->>'orderId')::int = ANY($1)`,
      [orders],
    );
    expect(messages).toBe(orders.length);
    expect(await stockOf(a, product.id)).toEqual({ stock: 20, sales: 0 });
    expect((await cancelledCount()) - before).toBe(orders.length);
  }, 30_000);

  describe('with a shared rate limit of 5 a minute', () => {
    let c: TestApp;
    let d: TestApp;

    beforeAll(async () => {
      if (REAL_SERVERS) {
        c = await startApp(world, { RATE_LIMIT_PER_MINUTE: '5' });
        d = await startApp(world, { RATE_LIMIT_PER_MINUTE: '5' });
      }
    });
    afterAll(async () => {
      await c?.close();
      await d?.close();
    });

    it('answers the 6th request 429, wherever each one lands', async () => {
      if (!REAL_SERVERS) {
        return;
      }
      const user = await newCustomer(a.http); // on an unlimited instance: its own budget starts full
      // The budget is per fixed minute: do not straddle a window's end.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 50_000) {
        await sleep(60_000 - intoMinute + 100);
      }
      const answers = [];
      for (const instance of [c, d, c, d, c, d]) {
        answers.push(await instance.http.get('/v1/auth/me').set('Authorization', user.auth));
      }
      expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200, 429]);
      expect(answers.slice(0, 5).map((res) => res.headers['ratelimit-remaining'])).toEqual(['4', '3', '2', '1', '0']);
      expect(answers[5].body.code).toBe('RATE_LIMITED');
      expect(Number(answers[5].headers['retry-after'])).toBeGreaterThan(0);
    }, 30_000);
  });
});
