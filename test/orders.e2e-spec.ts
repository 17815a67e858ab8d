import type { QueryRunner } from 'typeorm';
import * as orderSn from '../src/orders/order-sn';
import { createProduct, stockOf } from './support/catalog';
import { closeSuite, newCustomer, openSuite, startApp, TestApp, TestWorld } from './support/test-app';

describe('Checkout', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;

  const order = (auth: string, body: object = {}) => t.http.post('/v1/orders').set('Authorization', auth).send(body);
  const ordersOf = async (userId: number) =>
    (await t.dataSource.query(`SELECT id FROM orders WHERE user_id = $1`, [userId])) as Array<{ id: number }>;

  beforeAll(async () => ({ world, t, admin } = await openSuite()));
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => closeSuite({ world, t }));

  it('buys lines directly: 201 with Location, snapshot lines, stock and sales moved, OrderCreated recorded', async () => {
    const buyer = await newCustomer(t.http);
    const a = await createProduct(t, admin, { price: 19900, stock: 5, name: '无线耳机 A' });
    const b = await createProduct(t, admin, { price: 500, stock: 9 });
    const res = await order(buyer.auth, {
      items: [
        { productId: b.id, quantity: 3 },
        { productId: a.id, quantity: 2 },
      ],
    }).expect(201);
    expect(res.headers.location).toBe(`/v1/orders/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(Number),
      orderSn: expect.stringMatching(/^\d{20}$/),
      status: 'pending',
      items: [
        { productId: a.id, name: '无线耳机 A', unitPrice: 19900, quantity: 2, subtotal: 39800 },
        { productId: b.id, name: b.name, unitPrice: 500, quantity: 3, subtotal: 1500 },
      ],
      total: 41300,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await stockOf(t, a.id)).toEqual({ stock: 3, sales: 2 });
    expect(await stockOf(t, b.id)).toEqual({ stock: 6, sales: 3 });
    // the product cache shows the new stock at once
    expect((await t.http.get(`/v1/products/${a.id}`).expect(200)).body.stock).toBe(3);

    const events = await t.http.get(`/v1/orders/${res.body.id}/events`).set('Authorization', buyer.auth).expect(200);
    expect(events.body).toEqual([{ seq: 1, type: 'OrderCreated', at: expect.any(String), data: expect.any(Object) }]);
    const [outbox] = await t.dataSource.query(`SELECT subject, payload FROM outbox WHERE payload->>'orderId' = $1`, [
      String(res.body.id),
    ]);
    expect(outbox.subject).toBe('mall.orders.OrderCreated');
    const [event] = await t.dataSource.query(`SELECT id FROM order_events WHERE order_id = $1`, [res.body.id]);
    expect(outbox.payload).toEqual({
      id: event.id,
      type: 'OrderCreated',
      orderId: res.body.id,
      orderSn: res.body.orderSn,
      seq: 1,
      at: events.body[0].at,
      data: {
        total: 41300,
        items: [
          { productId: a.id, name: '无线耳机 A', unitPrice: 19900, quantity: 2, subtotal: 39800 },
          { productId: b.id, name: b.name, unitPrice: 500, quantity: 3, subtotal: 1500 },
        ],
      },
    });
    expect(events.body[0].data).toEqual(outbox.payload.data);
  });

  it('answers a checkout exactly as GET /v1/orders/:id then reads the order', async () => {
    const buyer = await newCustomer(t.http);
    const a = await createProduct(t, admin, { price: 1999, stock: 5, name: '蓝牙音箱 "Mini"' });
    const b = await createProduct(t, admin, { price: 250, stock: 5 });
    const placed = await order(buyer.auth, {
      items: [
        { productId: b.id, quantity: 2 },
        { productId: a.id, quantity: 1 },
        { productId: b.id, quantity: 1 },
      ],
    }).expect(201);
    const read = await t.http.get(`/v1/orders/${placed.body.id}`).set('Authorization', buyer.auth).expect(200);
    expect(placed.text).toBe(read.text);
    expect(placed.body.items.map((line: { productId: number }) => line.productId)).toEqual([a.id, b.id]);
    expect(placed.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('places a one-line order in one transaction of few statements, with no read-back', async () => {
    const buyer = await newCustomer(t.http);
    const product = await createProduct(t, admin, { stock: 5 });
    const seen: Array<{ runner?: QueryRunner; sql: string }> = [];
    jest.spyOn(t.dataSource.logger, 'logQuery').mockImplementation((sql, _parameters, runner) => {
      seen.push({ runner, sql: sql.replace(/\s+/g, ' ').trim() });
    });
    await order(buyer.auth, { items: [{ productId: product.id, quantity: 1 }] }).expect(201);
    jest.restoreAllMocks();

    // Background work (the payment-timeout sweep) runs on runners of its own.
    const checkout = seen.find((query) => query.sql.includes('INSERT INTO orders'))?.runner;
    expect(seen.filter((query) => query.runner === checkout).map((query) => query.sql)).toEqual([
      'START TRANSACTION',
      expect.stringMatching(/^UPDATE products SET stock = stock - \$1/),
      expect.stringMatching(
        /^WITH new_order AS \( INSERT INTO orders .* INSERT INTO order_items .* INSERT INTO order_events .* INSERT INTO outbox /,
      ),
      'COMMIT',
    ]);
    // …and nothing reads the order back outside the transaction either.
    expect(seen.filter((query) => query.runner !== checkout && query.sql.includes('order_items'))).toEqual([]);
  });

  it('draws another order number when the first is taken: no 500, one order, stock moved once', async () => {
    const buyer = await newCustomer(t.http);
    const product = await createProduct(t, admin, { stock: 5 });
    const first = await order(buyer.auth, { items: [{ productId: product.id, quantity: 1 }] }).expect(201);
    const draws = jest.spyOn(orderSn, 'newOrderSn').mockReturnValueOnce(first.body.orderSn);
    const second = await order(buyer.auth, { items: [{ productId: product.id, quantity: 1 }] }).expect(201);
    expect(draws).toHaveBeenCalledTimes(2);
    expect(second.body.orderSn).not.toBe(first.body.orderSn);
    expect(await stockOf(t, product.id)).toEqual({ stock: 3, sales: 2 });
    const [{ events }] = await t.dataSource.query(
      `SELECT count(*)::int AS events FROM order_events WHERE order_id = $1`,
      [second.body.id],
    );
    expect(events).toBe(1);
  });

  it('keeps the line snapshot when the product changes or is deleted later', async () => {
    const buyer = await newCustomer(t.http);
    const p = await createProduct(t, admin, { price: 700, name: 'Before' });
    const placed = await order(buyer.auth, { items: [{ productId: p.id, quantity: 1 }] }).expect(201);
    await t.http
      .patch(`/v1/products/${p.id}`)
      .set('Authorization', admin)
      .send({ price: 900, name: 'After' })
      .expect(200);
    await t.http.delete(`/v1/products/${p.id}`).set('Authorization', admin).expect(204);
    const read = await t.http.get(`/v1/orders/${placed.body.id}`).set('Authorization', buyer.auth).expect(200);
    expect(read.body.items[0]).toMatchObject({ name: 'Before', unitPrice: 700 });
  });

  it('checks out the whole cart with {}, and the ordered lines leave the cart', async () => {
    const buyer = await newCustomer(t.http);
    const p = await createProduct(t, admin, { price: 250, stock: 10 });
    const q = await createProduct(t, admin, { price: 100, stock: 10 });
    await t.http
      .post('/v1/cart/items')
      .set('Authorization', buyer.auth)
      .send({ productId: p.id, quantity: 4 })
      .expect(200);
    await t.http
      .post('/v1/cart/items')
      .set('Authorization', buyer.auth)
      .send({ productId: q.id, quantity: 1 })
      .expect(200);
    const res = await order(buyer.auth, {}).expect(201);
    expect(res.body.total).toBe(1100);
    expect(res.body.items.map((line: { productId: number }) => line.productId)).toEqual([p.id, q.id]);
    const cart = await t.http.get('/v1/cart').set('Authorization', buyer.auth).expect(200);
    expect(cart.body.items).toEqual([]);
  });

  it('answers 400 EMPTY_CART for {} with an empty cart', async () => {
    const buyer = await newCustomer(t.http);
    const res = await order(buyer.auth, {}).expect(400);
    expect(res.body.code).toBe('EMPTY_CART');
  });

  it('answers 409 INSUFFICIENT_STOCK with no partial order', async () => {
    const buyer = await newCustomer(t.http);
    const plenty = await createProduct(t, admin, { stock: 10 });
    const scarce = await createProduct(t, admin, { stock: 1 });
    const res = await order(buyer.auth, {
      items: [
        { productId: plenty.id, quantity: 2 },
        { productId: scarce.id, quantity: 2 },
      ],
    }).expect(409);
    expect(res.body.code).toBe('INSUFFICIENT_STOCK');
    expect(await stockOf(t, plenty.id)).toEqual({ stock: 10, sales: 0 });
    expect(await ordersOf(buyer.id)).toEqual([]);
  });

  it('answers 404 PRODUCT_NOT_FOUND for an unknown or inactive product, 400 for bad lines', async () => {
    const buyer = await newCustomer(t.http);
    const res = await order(buyer.auth, { items: [{ productId: 987654, quantity: 1 }] }).expect(404);
    expect(res.body.code).toBe('PRODUCT_NOT_FOUND');
    const off = await createProduct(t, admin);
    await t.http.patch(`/v1/products/${off.id}`).set('Authorization', admin).send({ status: 'inactive' }).expect(200);
    await order(buyer.auth, { items: [{ productId: off.id, quantity: 1 }] }).expect(404);
    for (const items of [[], [{ productId: off.id, quantity: 0 }], [{ productId: 'x', quantity: 1 }]]) {
      expect((await order(buyer.auth, { items }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('lets only customers order (401 without a token, 403 for an admin)', async () => {
    await t.http.post('/v1/orders').send({}).expect(401);
    expect((await order(admin, {}).expect(403)).body.code).toBe('FORBIDDEN');
  });

  it('never oversells: 30 buyers racing for 7 items make exactly 7 orders', async () => {
    const product = await createProduct(t, admin, { stock: 7 });
    const buyers = await Promise.all(Array.from({ length: 30 }, () => newCustomer(t.http)));
    const answers = await Promise.all(
      buyers.map((buyer) => order(buyer.auth, { items: [{ productId: product.id, quantity: 1 }] })),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(7);
    expect(statuses.filter((status) => status === 409)).toHaveLength(23);
    expect(await stockOf(t, product.id)).toEqual({ stock: 0, sales: 7 });
    const [{ count }] = await t.dataSource.query(
      `SELECT count(*)::int AS count FROM order_items WHERE product_id = $1`,
      [product.id],
    );
    expect(count).toBe(7);
  });

  it('leaves stock, cart and orders untouched when checkout fails midway', async () => {
    const buyer = await newCustomer(t.http);
    const product = await createProduct(t, admin, { stock: 4 });
    await t.http.post('/v1/cart/items').set('Authorization', buyer.auth).send({ productId: product.id, quantity: 2 });
    // The stock is taken, then the statement writing the order, its lines and event fails on the
    // event's outbox message, its last part: nothing of it, nor the stock taken, may stay.
    const outboxSize = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox`))[0].n as number;
    const before = await outboxSize();
    await t.dataSource.query(
      `ALTER TABLE outbox ADD CONSTRAINT injected_failure CHECK (subject <> 'mall.orders.OrderCreated') NOT VALID`,
    );
    let res;
    try {
      res = await order(buyer.auth, {}).expect(500);
    } finally {
      await t.dataSource.query(`ALTER TABLE outbox DROP CONSTRAINT injected_failure`);
    }
    expect(res.body).toMatchObject({ statusCode: 500, code: 'INTERNAL_ERROR' });
    expect(JSON.stringify(res.body)).not.toContain('injected_failure');
    expect(await stockOf(t, product.id)).toEqual({ stock: 4, sales: 0 });
    expect(await ordersOf(buyer.id)).toEqual([]);
    expect(await outboxSize()).toBe(before);
    const cart = await t.http.get('/v1/cart').set('Authorization', buyer.auth).expect(200);
    expect(cart.body.items).toEqual([expect.objectContaining({ productId: product.id, quantity: 2 })]);
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer for the same key and body, with no second order', async () => {
      const buyer = await newCustomer(t.http);
      const product = await createProduct(t, admin, { stock: 5 });
      const body = { items: [{ productId: product.id, quantity: 1 }] };
      const first = await order(buyer.auth, body).set('Idempotency-Key', 'key-1').expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await order(buyer.auth, body).set('Idempotency-Key', 'key-1').expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.body).toEqual(first.body);
      expect(await ordersOf(buyer.id)).toHaveLength(1);
      expect(await stockOf(t, product.id)).toEqual({ stock: 4, sales: 1 });
    });

    it('replays a whole-cart checkout although the first one emptied the cart', async () => {
      const buyer = await newCustomer(t.http);
      const product = await createProduct(t, admin, { stock: 5 });
      await t.http
        .post('/v1/cart/items')
        .set('Authorization', buyer.auth)
        .send({ productId: product.id, quantity: 2 })
        .expect(200);
      const first = await order(buyer.auth, {}).set('Idempotency-Key', 'cart-key').expect(201);
      const again = await order(buyer.auth, {}).set('Idempotency-Key', 'cart-key').expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await ordersOf(buyer.id)).toHaveLength(1);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
      const buyer = await newCustomer(t.http);
      const product = await createProduct(t, admin, { stock: 5 });
      await order(buyer.auth, { items: [{ productId: product.id, quantity: 1 }] })
        .set('Idempotency-Key', 'key-2')
        .expect(201);
      const res = await order(buyer.auth, { items: [{ productId: product.id, quantity: 2 }] })
        .set('Idempotency-Key', 'key-2')
        .expect(422);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('scopes keys to the user', async () => {
      const product = await createProduct(t, admin, { stock: 5 });
      const body = { items: [{ productId: product.id, quantity: 1 }] };
      for (const buyer of [await newCustomer(t.http), await newCustomer(t.http)]) {
        const res = await order(buyer.auth, body).set('Idempotency-Key', 'shared-key').expect(201);
        expect(res.headers['idempotent-replayed']).toBeUndefined();
      }
      expect(await stockOf(t, product.id)).toEqual({ stock: 3, sales: 2 });
    });

    it('refuses a key longer than 255 characters', async () => {
      const buyer = await newCustomer(t.http);
      const res = await order(buyer.auth, {}).set('Idempotency-Key', 'k'.repeat(256)).expect(400);
      expect(res.body.code).toBe('INVALID_IDEMPOTENCY_KEY');
    });

    it('makes one order from 10 concurrent requests with one key', async () => {
      const buyer = await newCustomer(t.http);
      const product = await createProduct(t, admin, { stock: 50 });
      const body = { items: [{ productId: product.id, quantity: 1 }] };
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => order(buyer.auth, body).set('Idempotency-Key', 'race')),
      );
      for (const res of answers) {
        expect([201, 409]).toContain(res.status);
        if (res.status === 409) {
          expect(res.body.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
        }
      }
      expect(await ordersOf(buyer.id)).toHaveLength(1);
      expect(await stockOf(t, product.id)).toEqual({ stock: 49, sales: 1 });
    });

    it('still makes one order with Redis unreachable (the database key decides)', async () => {
      if (!world.redisUrl) {
        return; // the in-process stand-in cannot be cut
      }
      const cut = await startApp(world, { REDIS_URL: 'redis://127.0.0.1:1' });
      try {
        // Logged in where Redis answers: without it logins answer 503 (the lockout cannot be counted).
        const buyer = await newCustomer(t.http);
        const product = await createProduct(cut, admin, { stock: 50 });
        const body = { items: [{ productId: product.id, quantity: 1 }] };
        const answers = await Promise.all(
          Array.from({ length: 8 }, () =>
            cut.http.post('/v1/orders').set('Authorization', buyer.auth).set('Idempotency-Key', 'no-redis').send(body),
          ),
        );
        expect(answers.map((res) => [res.status, res.body.code])).toEqual(Array(8).fill([201, undefined]));
        expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
        expect(await ordersOf(buyer.id)).toHaveLength(1);
        expect(await stockOf(t, product.id)).toEqual({ stock: 49, sales: 1 });
      } finally {
        await cut.close();
      }
    });
  });
});
