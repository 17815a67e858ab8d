import { signWebhook } from '../src/orders/webhooks/webhook-signature.guard';
import { createProduct, stockOf } from './support/catalog';
import { closeSuite, newCustomer, openSuite, startApp, TestApp, TestWorld } from './support/test-app';
import { sleep } from './support/wait';

const WEBHOOK_SECRET = 'lifecycle-webhook-secret';

describe('Order lifecycle', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;
  let eventCounter = 0;

  const place = async (buyer: { auth: string }, quantity = 1, app = t) => {
    const product = await createProduct(app, admin, { price: 1250, stock: 10 });
    const res = await app.http
      .post('/v1/orders')
      .set('Authorization', buyer.auth)
      .send({ items: [{ productId: product.id, quantity }] })
      .expect(201);
    return { order: res.body as { id: number; orderSn: string; total: number }, product };
  };
  const webhook = (kind: 'payments' | 'logistics', body: object, secret = WEBHOOK_SECRET) => {
    const raw = JSON.stringify(body);
    return t.http
      .post(`/v1/webhooks/${kind}`)
      .set('Content-Type', 'application/json')
      .set('X-Signature', signWebhook(raw, secret))
      .send(raw);
  };
  const pay = (order: { orderSn: string; total: number }, eventId = `pay-${++eventCounter}`) =>
    webhook('payments', { eventId, orderSn: order.orderSn, status: 'succeeded', amount: order.total });
  const eventsOf = async (id: number, auth = admin) =>
    (await t.http.get(`/v1/orders/${id}/events`).set('Authorization', auth).expect(200)).body as Array<{
      seq: number;
      type: string;
      at: string;
      data: Record<string, unknown>;
    }>;

  beforeAll(async () => ({ world, t, admin } = await openSuite({ WEBHOOK_SECRET })));
  afterAll(() => closeSuite({ world, t }));

  it('walks pending → paid → shipped → completed, recording each step in order', async () => {
    const buyer = await newCustomer(t.http);
    const { order } = await place(buyer, 2);
    expect((await pay(order).expect(200)).body.status).toBe('paid');
    const shipped = await t.http
      .post(`/v1/orders/${order.id}/ship`)
      .set('Authorization', admin)
      .send({ carrier: 'SF Express', trackingNo: 'SF123' })
      .expect(200);
    expect(shipped.body.status).toBe('shipped');
    const done = await t.http.post(`/v1/orders/${order.id}/complete`).set('Authorization', buyer.auth).expect(200);
    expect(done.body.status).toBe('completed');

    const events = await eventsOf(order.id, buyer.auth);
    expect(events.map((event) => [event.seq, event.type])).toEqual([
      [1, 'OrderCreated'],
      [2, 'OrderPaid'],
      [3, 'OrderShipped'],
      [4, 'OrderCompleted'],
    ]);
    expect(events[2].data).toEqual({ carrier: 'SF Express', trackingNo: 'SF123' });
    const messages = (await t.dataSource.query(
      `SELECT outbox.id, subject, payload FROM outbox WHERE payload->>'orderSn' = $1 ORDER BY (payload->>'seq')::int`,
      [order.orderSn],
    )) as Array<{ id: string; subject: string; payload: Record<string, unknown> }>;
    expect(messages.map((row) => row.subject)).toEqual([
      'mall.orders.OrderCreated',
      'mall.orders.OrderPaid',
      'mall.orders.OrderShipped',
      'mall.orders.OrderCompleted',
    ]);
    // Each message carries its event as the API shows it (same id, seq, at to the millisecond, data).
    const eventIds = (await t.dataSource.query(`SELECT id FROM order_events WHERE order_id = $1 ORDER BY seq`, [
      order.id,
    ])) as Array<{ id: string }>;
    expect(messages.map((row) => row.payload)).toEqual(
      events.map((event, i) => ({
        id: eventIds[i].id,
        type: event.type,
        orderId: order.id,
        orderSn: order.orderSn,
        seq: event.seq,
        at: event.at,
        data: event.data,
      })),
    );
    expect(messages.map((row) => row.id)).toEqual(eventIds.map((row) => row.id));
  });

  it('cancels a pending order for its owner, restoring stock and sales', async () => {
    const buyer = await newCustomer(t.http);
    const { order, product } = await place(buyer, 3);
    expect(await stockOf(t, product.id)).toEqual({ stock: 7, sales: 3 });
    const res = await t.http.post(`/v1/orders/${order.id}/cancel`).set('Authorization', buyer.auth).expect(200);
    expect(res.body.status).toBe('cancelled');
    expect(await stockOf(t, product.id)).toEqual({ stock: 10, sales: 0 });
    expect((await eventsOf(order.id)).at(-1)).toMatchObject({ type: 'OrderCancelled', data: { reason: 'customer' } });
    const again = await t.http.post(`/v1/orders/${order.id}/cancel`).set('Authorization', buyer.auth).expect(409);
    expect(again.body.code).toBe('ILLEGAL_TRANSITION');
    expect(await stockOf(t, product.id)).toEqual({ stock: 10, sales: 0 });
  });

  it('records an admin cancellation as such', async () => {
    const buyer = await newCustomer(t.http);
    const { order } = await place(buyer);
    await t.http.post(`/v1/orders/${order.id}/cancel`).set('Authorization', admin).expect(200);
    expect((await eventsOf(order.id)).at(-1)?.data).toEqual({ reason: 'admin' });
  });

  it.each([
    ['ship a pending order', 'ship'],
    ['complete a pending order', 'complete'],
  ])('refuses to %s with 409 ILLEGAL_TRANSITION', async (_label, action) => {
    const buyer = await newCustomer(t.http);
    const { order } = await place(buyer);
    const res = await t.http.post(`/v1/orders/${order.id}/${action}`).set('Authorization', admin).send({}).expect(409);
    expect(res.body.code).toBe('ILLEGAL_TRANSITION');
  });

  it('refuses to cancel a paid order', async () => {
    const buyer = await newCustomer(t.http);
    const { order } = await place(buyer);
    await pay(order).expect(200);
    await t.http.post(`/v1/orders/${order.id}/cancel`).set('Authorization', buyer.auth).expect(409);
  });

  it('shows orders to their owner and admins only, newest first', async () => {
    const owner = await newCustomer(t.http);
    const stranger = await newCustomer(t.http);
    const first = (await place(owner)).order;
    const second = (await place(owner)).order;
    for (const path of [`/v1/orders/${first.id}`, `/v1/orders/${first.id}/events`]) {
      expect((await t.http.get(path).set('Authorization', stranger.auth).expect(404)).body.code).toBe(
        'ORDER_NOT_FOUND',
      );
      await t.http.get(path).set('Authorization', admin).expect(200);
    }
    await t.http.post(`/v1/orders/${first.id}/cancel`).set('Authorization', stranger.auth).expect(404);
    await t.http.post(`/v1/orders/${first.id}/ship`).set('Authorization', owner.auth).send({}).expect(403);

    const mine = await t.http.get('/v1/orders').set('Authorization', owner.auth).expect(200);
    expect(mine.body).toMatchObject({ page: 1, pageSize: 20, total: 2 });
    expect(mine.body.items.map((o: { id: number }) => o.id)).toEqual([second.id, first.id]);
    expect((await t.http.get('/v1/orders').set('Authorization', stranger.auth).expect(200)).body.total).toBe(0);
    const all = await t.http.get('/v1/orders').query({ pageSize: 100 }).set('Authorization', admin).expect(200);
    expect(all.body.total).toBeGreaterThanOrEqual(2);
    await t.http.get('/v1/orders/abc').set('Authorization', owner.auth).expect(400);
  });

  it('keeps the history append-only in the database itself', async () => {
    const buyer = await newCustomer(t.http);
    const { order } = await place(buyer);
    await expect(t.dataSource.query(`DELETE FROM order_events WHERE order_id = $1`, [order.id])).rejects.toThrow(
      /append-only/,
    );
  });

  describe('webhooks', () => {
    it('refuses a missing or wrong signature with 401 INVALID_SIGNATURE', async () => {
      const buyer = await newCustomer(t.http);
      const { order } = await place(buyer);
      const body = { eventId: 'sig-1', orderSn: order.orderSn, status: 'succeeded', amount: order.total };
      const unsigned = await t.http.post('/v1/webhooks/payments').send(body).expect(401);
      expect(unsigned.body.code).toBe('INVALID_SIGNATURE');
      await webhook('payments', body, 'another-secret').expect(401);
      // a signature over other bytes than those sent
      await t.http
        .post('/v1/webhooks/payments')
        .set('X-Signature', signWebhook(JSON.stringify({ ...body, amount: 1 }), WEBHOOK_SECRET))
        .send(body)
        .expect(401);
      expect((await t.http.get(`/v1/orders/${order.id}`).set('Authorization', admin)).body.status).toBe('pending');
    });

    it('answers a repeated eventId with {duplicate: true} and changes nothing', async () => {
      const buyer = await newCustomer(t.http);
      const { order } = await place(buyer);
      await pay(order, 'dup-1').expect(200);
      const again = await pay(order, 'dup-1').expect(200);
      expect(again.body).toEqual({ duplicate: true });
      expect((await eventsOf(order.id)).map((event) => event.type)).toEqual(['OrderCreated', 'OrderPaid']);
    });

    it('refuses a payment of the wrong amount with 409 AMOUNT_MISMATCH and changes nothing', async () => {
      const buyer = await newCustomer(t.http);
      const { order } = await place(buyer);
      const res = await webhook('payments', {
        eventId: 'amount-1',
        orderSn: order.orderSn,
        status: 'succeeded',
        amount: order.total - 1,
      }).expect(409);
      expect(res.body.code).toBe('AMOUNT_MISMATCH');
      expect((await eventsOf(order.id)).map((event) => event.type)).toEqual(['OrderCreated']);
      // the same event id is not burnt: a corrected retry is not taken for a duplicate
      expect((await pay(order, 'amount-1').expect(200)).body.status).toBe('paid');
    });

    it('cancels on a failed payment with reason payment_failed, restoring stock', async () => {
      const buyer = await newCustomer(t.http);
      const { order, product } = await place(buyer, 2);
      const res = await webhook('payments', {
        eventId: 'fail-1',
        orderSn: order.orderSn,
        status: 'failed',
        amount: order.total,
      }).expect(200);
      expect(res.body.status).toBe('cancelled');
      expect((await eventsOf(order.id)).at(-1)?.data).toMatchObject({ reason: 'payment_failed' });
      expect(await stockOf(t, product.id)).toEqual({ stock: 10, sales: 0 });
    });

    it('completes a shipped order on delivery, and refuses delivery of an unshipped one', async () => {
      const buyer = await newCustomer(t.http);
      const { order } = await place(buyer);
      await pay(order).expect(200);
      const early = await webhook('logistics', { eventId: 'dlv-early', orderSn: order.orderSn, status: 'delivered' });
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('ILLEGAL_TRANSITION');
      await t.http.post(`/v1/orders/${order.id}/ship`).set('Authorization', admin).send({}).expect(200);
      const res = await webhook('logistics', { eventId: 'dlv-1', orderSn: order.orderSn, status: 'delivered' });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('completed');
    });

    it('answers 404 for an unknown order and 400 for a malformed event', async () => {
      const unknown = await webhook('payments', { eventId: 'x-1', orderSn: '0000', status: 'succeeded', amount: 1 });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('ORDER_NOT_FOUND');
      const bad = await webhook('payments', { eventId: 'x-2', orderSn: '0000', status: 'maybe', amount: 1 });
      expect(bad.status).toBe(400);
    });
  });

  describe('payment timeout', () => {
    const instances: TestApp[] = [];

    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.close()));
    });

    it('cancels an unpaid order once, with reason payment_timeout, even with two instances sweeping', async () => {
      const count = world.databaseUrl ? 2 : 1; // embedded databases are per app
      for (let i = 0; i < count; i++) {
        instances.push(await startApp(world, { PAYMENT_TIMEOUT_SECONDS: '1', WEBHOOK_SECRET }));
      }
      const [first] = instances;
      const buyer = await newCustomer(first.http);
      const placed = await Promise.all([1, 2, 3].map(() => place(buyer, 1, first)));
      const paidOne = placed[0].order;
      await first.http
        .post('/v1/webhooks/payments')
        .set('Content-Type', 'application/json')
        .set(
          'X-Signature',
          signWebhook(
            JSON.stringify({
              eventId: 'in-time',
              orderSn: paidOne.orderSn,
              status: 'succeeded',
              amount: paidOne.total,
            }),
            WEBHOOK_SECRET,
          ),
        )
        .send(
          JSON.stringify({ eventId: 'in-time', orderSn: paidOne.orderSn, status: 'succeeded', amount: paidOne.total }),
        )
        .expect(200);

      const deadline = Date.now() + 15_000;
      let statuses: string[] = [];
      while (Date.now() < deadline) {
        // In the order of `placed`: placed concurrently, its orders' ids need not ascend.
        const rows = (await first.dataSource.query(`SELECT id, status FROM orders WHERE id = ANY($1)`, [
          placed.map(({ order }) => order.id),
        ])) as Array<{ id: number; status: string }>;
        statuses = placed.map(({ order }) => rows.find((row) => row.id === order.id)?.status ?? 'missing');
        if (statuses.filter((status) => status === 'cancelled').length === 2) {
          break;
        }
        await sleep(200);
      }
      expect(statuses).toEqual(['paid', 'cancelled', 'cancelled']);
      await sleep(1_500); // give every sweeper more chances to cancel twice
      for (const { order, product } of placed.slice(1)) {
        const events = await first.dataSource.query(
          `SELECT type, data FROM order_events WHERE order_id = $1 AND type = 'OrderCancelled'`,
          [order.id],
        );
        expect(events).toEqual([{ type: 'OrderCancelled', data: { reason: 'payment_timeout' } }]);
        expect(await stockOf(first, product.id)).toEqual({ stock: 10, sales: 0 });
      }
      // each cancellation counted once, by whichever instance made it (earlier tests' pending
      // orders are past this short timeout too, so count against the whole history)
      let counted = 0;
      for (const instance of instances) {
        const metrics = (await instance.http.get('/metrics').expect(200)).text;
        counted += Number(/orders_cancelled_total\{reason="payment_timeout"\} (\d+)/.exec(metrics)?.[1] ?? 0);
      }
      const [{ cancelled }] = await first.dataSource.query(
        `SELECT count(*)::int AS cancelled FROM order_events
         WHERE type = 'OrderCancelled' AND data->>'reason' = 'payment_timeout'`,
      );
      expect(counted).toBe(cancelled);
      expect(counted).toBeGreaterThanOrEqual(2);
    });
  });
});
