import { connect, JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { ORDERS_STREAM } from '../src/messaging/nats-connection';
import { isoTimestamp } from '../src/messaging/outbox';
import { OutboxRelay } from '../src/messaging/outbox-relay.service';
import { startTcpProxy, TcpProxy } from './support/tcp-proxy';
import { createProduct } from './support/catalog';
import { ADMIN, bearer, createWorld, newCustomer, startApp, TestApp, TestWorld } from './support/test-app';
import { type OutboxEvent, placeOrders } from './support/order-events';
import { sleep, waitFor } from './support/wait';

/**
 * The outbox relay, fed by real checkouts (the rows production writes), against
 * the real NATS JetStream when TEST_NATS_URL is set. The stream is shared by every run,
 * so each test reads only after the stream's last sequence at its start, and only the
 * event ids it wrote.
 */
const NATS_URL = process.env.TEST_NATS_URL;
const SUBJECT = 'mall.orders.OrderCreated';

interface OutboxRow {
  id: string;
  published_at: Date | null;
  attempts: number;
  last_error: string | null;
}

interface Received {
  seq: number;
  subject: string;
  msgId: string | undefined;
  /** Messages left for the consumer after this one. */
  pending: number;
  payload: Record<string, unknown>;
}

describe('Outbox relay', () => {
  let world: TestWorld;

  const rows = (t: TestApp, ids: string[]): Promise<OutboxRow[]> =>
    t.dataSource.query(
      `SELECT id, published_at, attempts, last_error FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [ids],
    );
  const metric = async (t: TestApp, name: string): Promise<number | undefined> => {
    const text = (await t.http.get('/metrics').expect(200)).text;
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const ready = async (t: TestApp) => {
    const res = await t.http.get('/health/ready');
    return { status: res.status, message: String(res.body.message ?? '') };
  };

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => {
    await world?.drop();
  });

  describe('with NATS', () => {
    let nc: NatsConnection;
    let js: JetStreamClient;
    let jsm: JetStreamManager;
    let proxy: TcpProxy;
    let t: TestApp;

    /** The stream's last sequence: a test reads only what comes after it. */
    const lastSeq = async () => (await jsm.streams.info(ORDERS_STREAM)).state.last_seq;

    /** Reads SUBJECT after `afterSeq` through a fresh ordered consumer until `enough` holds. */
    const readStream = async (afterSeq: number, enough: (got: Received[]) => boolean, timeoutMs = 20_000) => {
      const consumer = await js.consumers.get(ORDERS_STREAM, { filterSubjects: SUBJECT, opt_start_seq: afterSeq + 1 });
      const got: Received[] = [];
      const deadline = Date.now() + timeoutMs;
      while (!enough(got)) {
        if (Date.now() > deadline) {
          throw new Error(`Timed out after ${timeoutMs} ms reading the stream; got ${got.length} messages`);
        }
        const msg = await consumer.next({ expires: 1_000 });
        if (msg) {
          got.push({
            seq: msg.seq,
            subject: msg.subject,
            msgId: msg.headers?.get('Nats-Msg-Id'),
            pending: msg.info.pending,
            payload: msg.json(),
          });
        }
      }
      return got;
    };
    /** Waits for the events with `ids` after `afterSeq`, and returns them (only them) in stream order. */
    const delivered = async (afterSeq: number, ids: string[]) => {
      const has = (got: Received[]) => ids.every((id) => got.some((m) => m.msgId === id));
      return (await readStream(afterSeq, has)).filter((m) => m.msgId !== undefined && ids.includes(m.msgId));
    };

    beforeAll(async () => {
      if (!NATS_URL) {
        return; // NATS parts need a real server: TEST_NATS_URL (from NATS_URL)
      }
      const target = new URL(NATS_URL);
      nc = await connect({ servers: NATS_URL });
      js = nc.jetstream();
      jsm = await nc.jetstreamManager();
      proxy = await startTcpProxy(Number(target.port || 4222), target.hostname);
      t = await startApp(world, { NATS_URL: `nats://127.0.0.1:${proxy.port}` });
      // The app creates the stream once connected; readiness says it did.
      await waitFor(
        'readiness with NATS',
        () => ready(t),
        (r) => r.status === 200,
      );
    });
    afterAll(async () => {
      await t?.close();
      await proxy?.close();
      await nc?.close();
    });

    it('publishes a recorded event with its id as the message id, and marks the row published', async () => {
      if (!NATS_URL) {
        return; // needs NATS
      }
      const start = await lastSeq();
      const [event] = await placeOrders(t, 1);
      t.app.get(OutboxRelay).nudge();

      const [message] = await delivered(start, [event.id]);
      expect(message.subject).toBe(SUBJECT);
      expect(message.msgId).toBe(event.id);
      expect(message.payload).toEqual(event.payload);
      const [row] = await waitFor(
        'the row marked',
        () => rows(t, [event.id]),
        ([r]) => r.published_at !== null,
      );
      expect(row).toMatchObject({ attempts: 1, last_error: null });
      expect(await metric(t, 'outbox_published_total')).toBeGreaterThanOrEqual(1);
    });

    it('stores an event once when it is published again (a crash between publish and mark)', async () => {
      if (!NATS_URL) {
        return; // needs NATS
      }
      const start = await lastSeq();
      const [event] = await placeOrders(t, 1);
      await waitFor(
        'the row marked',
        () => rows(t, [event.id]),
        ([r]) => r.published_at !== null,
      );

      // As if the relay had died after the ack and before its commit: the row is unpublished again.
      await t.dataSource.query(`UPDATE outbox SET published_at = NULL WHERE id = $1`, [event.id]);
      t.app.get(OutboxRelay).nudge();
      // attempts 2: the relay published it a second time and JetStream acknowledged that.
      await waitFor(
        'the second publish',
        () => rows(t, [event.id]),
        ([r]) => r.published_at !== null && r.attempts === 2,
      );

      // Everything on the subject since the start, up to the stream's end (pending 0).
      const all = await readStream(start, (got) => got.length > 0 && got[got.length - 1].pending === 0);
      expect(all.filter((m) => m.msgId === event.id)).toHaveLength(1);
    });

    it('keeps events while NATS is unreachable, then delivers every one of them, in order', async () => {
      if (!NATS_URL) {
        return; // needs NATS
      }
      const start = await lastSeq();
      proxy.cut();
      const cutReady = await waitFor(
        'readiness to fail',
        () => ready(t),
        (r) => r.status === 503,
      );
      expect(cutReady.message).toContain('nats');

      const events: OutboxEvent[] = await placeOrders(t, 5);
      const ids = events.map((event) => event.id);
      await waitFor(
        'the backlog metric',
        () => metric(t, 'outbox_backlog'),
        (n) => (n ?? 0) >= events.length,
      );
      await sleep(1_500); // time for passes that must not publish anything
      expect((await rows(t, ids)).every((row) => row.published_at === null)).toBe(true);

      proxy.heal();
      const messages = await delivered(start, ids);
      expect(messages.map((m) => m.msgId)).toEqual(ids);
      expect(messages.map((m) => m.payload)).toEqual(events.map((event) => event.payload));
      await waitFor(
        'the rows marked',
        () => rows(t, ids),
        (marked) => marked.every((r) => r.published_at !== null),
      );
      await waitFor(
        'the backlog to drain',
        () => metric(t, 'outbox_backlog'),
        (n) => n === 0,
      );
      expect((await ready(t)).status).toBe(200);
    });

    it('carries orders placed over HTTP to a JetStream consumer, also across a NATS outage', async () => {
      if (!NATS_URL) {
        return; // needs NATS
      }
      const admin = await bearer(t.http, ADMIN.email, ADMIN.password);
      const buyer = await newCustomer(t.http);
      const product = await createProduct(t, admin, { price: 300, stock: 5 });
      const start = await lastSeq();
      const buy = async () =>
        (
          await t.http
            .post('/v1/orders')
            .set('Authorization', buyer.auth)
            .send({ items: [{ productId: product.id, quantity: 1 }] })
            .expect(201)
        ).body as { id: number; orderSn: string };
      const before = await buy();
      proxy.cut();
      const during = await buy();
      await sleep(500);
      proxy.heal();

      const ids = (await t.dataSource.query(`SELECT id FROM order_events WHERE order_id = ANY($1) ORDER BY order_id`, [
        [before.id, during.id],
      ])) as Array<{ id: string }>;
      const messages = await delivered(
        start,
        ids.map((row) => row.id),
      );
      expect(messages.map((m) => m.payload.orderSn)).toEqual([before.orderSn, during.orderSn]);
      expect(messages[1].payload).toEqual({
        id: messages[1].msgId,
        type: 'OrderCreated',
        orderId: during.id,
        orderSn: during.orderSn,
        seq: 1,
        at: expect.any(String),
        data: expect.objectContaining({ total: 300 }),
      });
    });
  });

  describe('with NATS unreachable at start-up', () => {
    let proxy: TcpProxy;

    beforeAll(async () => {
      if (!NATS_URL) {
        return; // needs NATS
      }
      const target = new URL(NATS_URL);
      proxy = await startTcpProxy(Number(target.port || 4222), target.hostname);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it('starts and serves, reports NATS as down, and publishes once NATS answers', async () => {
      if (!NATS_URL) {
        return; // needs NATS
      }
      proxy.cut();
      const t = await startApp(world, { NATS_URL: `nats://127.0.0.1:${proxy.port}` });
      try {
        expect((await t.http.get('/health/live')).status).toBe(200);
        const down = await ready(t);
        expect(down.status).toBe(503);
        expect(down.message).toContain('nats');

        const [event] = await placeOrders(t, 1);
        await sleep(1_000);
        expect((await rows(t, [event.id]))[0].published_at).toBeNull();

        proxy.heal();
        await waitFor(
          'the row published',
          () => rows(t, [event.id]),
          ([r]) => r.published_at !== null,
          15_000,
        );
        await waitFor(
          'readiness with NATS',
          () => ready(t),
          (r) => r.status === 200,
        );
      } finally {
        await t.close();
      }
    });

    it('shuts down promptly while NATS has never answered', async () => {
      if (!NATS_URL) {
        return; // needs NATS
      }
      proxy.cut();
      const t = await startApp(world, { NATS_URL: `nats://127.0.0.1:${proxy.port}` });
      await sleep(500); // the first connect is retrying
      const closing = Date.now();
      await t.close();
      expect(Date.now() - closing).toBeLessThan(5_000);
    });
  });

  describe('without NATS_URL', () => {
    it('renders times in SQL-built payloads exactly as Date#toISOString renders what node-postgres reads', async () => {
      const t = await startApp(world);
      const session = t.dataSource.createQueryRunner();
      try {
        // Fractions that round or drift if converted carelessly, in a session time zone that is not UTC.
        await session.query(`SET TIME ZONE 'Asia/Shanghai'`);
        const rows = (await session.query(
          `SELECT t, ${isoTimestamp('t')} AS iso
           FROM (SELECT unnest($1::timestamptz[]) UNION ALL SELECT now() UNION ALL SELECT clock_timestamp()) AS times (t)`,
          [
            [
              '2026-11-23 22:15:30+00',
              '2026-11-23 22:15:30.000999+00',
              '2026-11-23 22:15:30.029+00',
              '2026-11-23 22:15:30.0295+00',
              '2026-11-23 23:59:59.999999+00',
              '2026-12-31 23:59:59.9995+08',
              '2027-03-28 01:30:00.5+01',
            ],
          ],
        )) as Array<{ t: Date; iso: string }>;
        expect(rows).toHaveLength(9);
        for (const row of rows) {
          expect(row.iso).toBe(row.t.toISOString());
        }
      } finally {
        await session.query(`SET TIME ZONE DEFAULT`);
        await session.release();
        await t.close();
      }
    });

    it('records events in the outbox, leaves them unpublished, and runs normally', async () => {
      const t = await startApp(world);
      try {
        const [event] = await placeOrders(t, 1);
        await sleep(1_000); // a relay, if one ran, would have published by now
        const [row] = await rows(t, [event.id]);
        expect(row).toMatchObject({ published_at: null, attempts: 0 });

        const res = await t.http.get('/health/ready');
        expect(res.status).toBe(200);
        expect(res.body.info).not.toHaveProperty('nats');
        expect(await metric(t, 'outbox_published_total')).toBe(0);
      } finally {
        await t.close();
      }
    });
  });
});
