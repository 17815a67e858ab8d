import Redis from 'ioredis';
import { connect, type NatsConnection } from 'nats';
import { Client } from 'pg';
import { ORDERS_STREAM } from '../src/messaging/nats-connection';
import { Answer, ensureBuilt, freePort, send, ServiceProcess, startService } from './support/service-process';
import { ADMIN, createWorld, TestWorld } from './support/test-app';
import { sleep, waitFor } from './support/wait';

/**
 * SIGKILL of the built service (`node dist/main.js`) in the middle of concurrent keyed
 * checkouts, a restart, and every key retried with its body until answered. Then the
 * ledger is audited: what answered 201 is an order and nothing else is; stock, sales,
 * events and the outbox add up; every order's event reached NATS; a key answered before
 * the kill answers the same bytes after it; and no key stayed locked past
 * REQUEST_TIMEOUT_MS + 5 s of the restart (API.md § Orders).
 *
 * Real PostgreSQL, Redis and NATS only: the embedded stand-ins live in the killed process
 * (its Redis locks die with it, which is not the case under test).
 */
const REAL_SERVERS = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL && process.env.TEST_NATS_URL);
const REQUEST_TIMEOUT_MS = 3_000;
const CUSTOMERS = 10;
const KEYS_PER_CUSTOMER = 20; // 200 keyed checkouts
const INITIAL_STOCK = 250; // less than the ~400 units asked for: some answer 409
/** Answers seen before the kill: enough that replays are tested, few enough that many are in flight. */
const KILL_AFTER_ANSWERS = 15;
const SUBJECT = 'mall.orders.OrderCreated';
const RETRY_WORKERS = 10;

interface Checkout {
  auth: string;
  key: string;
  quantity: number;
  before?: Answer;
  after?: Answer;
  /** When a retry was last refused IDEMPOTENCY_KEY_IN_FLIGHT, ms after the restarted service was live. */
  lastInFlightMs?: number;
}

(REAL_SERVERS ? describe : describe.skip)('SIGKILL during keyed checkouts (real servers)', () => {
  let world: TestWorld;
  let service: ServiceProcess | undefined;
  let db: Client;
  let nc: NatsConnection;
  let redis: Redis;
  let port: number;

  const env = () => ({
    DATABASE_URL: world.databaseUrl!,
    REDIS_URL: world.redisUrl!,
    REDIS_KEY_PREFIX: world.keyPrefix,
    NATS_URL: process.env.TEST_NATS_URL!,
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
  });
  const json = (answer: Answer | undefined) => (answer?.body ?? {}) as Record<string, unknown>;

  /** Remaining lifetimes (ms) of the idempotency locks in this run's Redis key space. */
  const lockTtls = async () => {
    const ttls: number[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${world.keyPrefix}lock:idempotency:*`, 'COUNT', 500);
      for (const key of keys) {
        ttls.push(await redis.pttl(key));
      }
      cursor = next;
    } while (cursor !== '0');
    return ttls.filter((ttl) => ttl !== -2); // -2: expired meanwhile
  };

  beforeAll(async () => {
    ensureBuilt();
    world = await createWorld();
    db = new Client({ connectionString: world.databaseUrl });
    await db.connect();
    nc = await connect({ servers: process.env.TEST_NATS_URL });
    redis = new Redis(world.redisUrl!);
    port = await freePort();
    service = startService(port, env());
    await service.waitForLive();
  }, 180_000);

  afterAll(async () => {
    await service?.kill();
    await db?.end();
    await nc?.close();
    redis?.disconnect();
    await world?.drop();
  });

  it('loses nothing, orders nothing twice and locks no key out', async () => {
    const streamStart = (await (await nc.jetstreamManager()).streams.info(ORDERS_STREAM)).state.last_seq;
    const admin = `Bearer ${json(await send(port, 'POST', '/v1/auth/login', { body: ADMIN })).accessToken as string}`;
    const created = await send(port, 'POST', '/v1/products', {
      headers: { Authorization: admin },
      body: { sku: `CRASH-${Date.now()}`, name: 'Crash test', price: 1_000, stock: INITIAL_STOCK },
    });
    expect(created.status).toBe(201);
    const productId = json(created).id as number;

    const checkouts: Checkout[] = [];
    for (let c = 0; c < CUSTOMERS; c++) {
      const customer = { email: `crash-${c}-${Date.now()}@mall.test`, password: 'customer-password-1' };
      expect((await send(port, 'POST', '/v1/auth/register', { body: customer })).status).toBe(201);
      const token = json(await send(port, 'POST', '/v1/auth/login', { body: customer })).accessToken as string;
      for (let k = 0; k < KEYS_PER_CUSTOMER; k++) {
        checkouts.push({ auth: `Bearer ${token}`, key: `crash-${c}-${k}`, quantity: 1 + ((c + k) % 3) });
      }
    }
    const checkout = (entry: Checkout) =>
      send(port, 'POST', '/v1/orders', {
        headers: { Authorization: entry.auth, 'Idempotency-Key': entry.key },
        body: { items: [{ productId, quantity: entry.quantity }] },
      });

    // All at once; SIGKILL once a few have answered.
    let answered = 0;
    const firstTries = checkouts.map((entry) =>
      checkout(entry).then((answer) => {
        if (answer.status !== undefined) {
          answered++;
        }
        return answer;
      }),
    );
    await waitFor(
      `${KILL_AFTER_ANSWERS} answers`,
      () => answered,
      (n) => n >= KILL_AFTER_ANSWERS,
      60_000,
    );
    const killed = service!;
    await killed.kill();
    // The locks the dead process left behind expire with REQUEST_TIMEOUT_MS, not a minute later.
    const locks = await lockTtls();
    expect(locks.length).toBeGreaterThan(0);
    expect(locks.filter((ttl) => ttl > REQUEST_TIMEOUT_MS + 5_000)).toEqual([]);
    const firsts = await Promise.all(firstTries);
    // Before the kill: the contract's answers, or a 503 (a request that waited past
    // REQUEST_TIMEOUT_MS on this loaded machine), which is not stored and is retried too.
    expect(firsts.filter((answer) => answer.status !== undefined && ![201, 409, 503].includes(answer.status))).toEqual(
      [],
    );
    checkouts.forEach((entry, i) => {
      if (firsts[i].status === 201 || firsts[i].status === 409) {
        entry.before = firsts[i];
      }
    });
    const answeredBefore = checkouts.filter((entry) => entry.before);
    expect(answeredBefore.length).toBeGreaterThan(0);
    expect(firsts.filter((answer) => answer.error).length).toBeGreaterThan(0); // else nothing was in flight at the kill

    service = startService(port, env());
    await service.waitForLive();
    const liveAt = Date.now();

    // Every key again, with its body, until it gets an answer that is not "come back later";
    // a few at a time, so that the restarted service is not swamped into 503s.
    const queue = [...checkouts];
    const retry = async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        for (;;) {
          const answer = await checkout(entry);
          const code = json(answer).code;
          if (code === 'IDEMPOTENCY_KEY_IN_FLIGHT') {
            entry.lastInFlightMs = Date.now() - liveAt;
          }
          if (answer.status !== undefined && answer.status < 500 && code !== 'IDEMPOTENCY_KEY_IN_FLIGHT') {
            entry.after = answer;
            break;
          }
          await sleep(200);
        }
      }
    };
    await Promise.all(Array.from({ length: RETRY_WORKERS }, retry));

    // No key was held by the dead process past the contract's bound (from the restart).
    const inFlight = checkouts.filter((entry) => entry.lastInFlightMs !== undefined);
    expect(inFlight.filter((entry) => entry.lastInFlightMs! > REQUEST_TIMEOUT_MS + 5_000)).toEqual([]);

    // After the restart: 201 (new, or the stored first answer) or 409 INSUFFICIENT_STOCK.
    const outcomes = checkouts.map((entry) => `${entry.after!.status} ${String(json(entry.after).code ?? '')}`.trim());
    expect(outcomes.filter((outcome) => !['201', '409 INSUFFICIENT_STOCK'].includes(outcome))).toEqual([]);
    // An answer seen before the kill is the answer after it, byte for byte, marked replayed.
    for (const entry of answeredBefore) {
      expect({ key: entry.key, status: entry.after!.status, body: entry.after!.text }).toEqual({
        key: entry.key,
        status: entry.before!.status,
        body: entry.before!.text,
      });
      expect(entry.after!.headers['idempotent-replayed']).toBe('true');
    }

    // The ledger: orders are exactly the keys answered 201.
    const placed = checkouts.filter((entry) => entry.after!.status === 201);
    const placedIds = placed.map((entry) => json(entry.after).id as number).sort((a, b) => a - b);
    expect(new Set(placedIds).size).toBe(placed.length);
    const { rows: orders } = await db.query<{ id: number; quantity: number }>(
      `SELECT o.id, sum(i.quantity)::int AS quantity FROM orders o JOIN order_items i ON i.order_id = o.id
       GROUP BY o.id ORDER BY o.id`,
    );
    expect(orders.map((order) => order.id)).toEqual(placedIds);
    const byId = new Map(placed.map((entry) => [json(entry.after).id as number, entry.quantity]));
    expect(orders.filter((order) => byId.get(order.id) !== order.quantity)).toEqual([]);
    expect(placed.length).toBeGreaterThan(0);
    expect(placed.length).toBeLessThan(checkouts.length); // stock ran out for some

    // Stock and sales add up.
    const ordered = orders.reduce((sum, order) => sum + order.quantity, 0);
    const { rows: products } = await db.query<{ stock: number; sales: number }>(
      `SELECT stock, sales FROM products WHERE id = $1`,
      [productId],
    );
    expect(products[0].stock + ordered).toBe(INITIAL_STOCK);
    expect(products[0].sales).toBe(ordered);

    // Every key holds one stored answer; every order has its OrderCreated event and outbox row.
    const { rows: keys } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_keys`);
    expect(keys[0].n).toBe(checkouts.length);
    const { rows: events } = await db.query<{ id: string; order_id: number }>(
      `SELECT id, order_id FROM order_events WHERE type = 'OrderCreated' ORDER BY order_id`,
    );
    expect(events.map((event) => event.order_id)).toEqual(placedIds);
    const eventIds = events.map((event) => event.id);
    const { rows: outbox } = await db.query<{ id: string }>(`SELECT id FROM outbox ORDER BY id`);
    expect(outbox.map((row) => row.id)).toEqual([...eventIds].sort());

    // ... and it reached NATS: marked published, and in the stream.
    await waitFor(
      'every outbox row published',
      async () =>
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n,
      (n) => n === 0,
      30_000,
    );
    const consumer = await nc.jetstream().consumers.get(ORDERS_STREAM, {
      filterSubjects: SUBJECT,
      opt_start_seq: streamStart + 1,
    });
    const unseen = new Set(eventIds);
    const deadline = Date.now() + 30_000;
    while (unseen.size > 0 && Date.now() < deadline) {
      const msg = await consumer.next({ expires: 1_000 });
      const id = msg?.headers?.get('Nats-Msg-Id');
      if (id) {
        unseen.delete(id);
      }
    }
    expect([...unseen]).toEqual([]);
  }, 240_000);
});
