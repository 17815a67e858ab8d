import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createProduct, stockOf } from './support/catalog';
import { closeSuite, newCustomer, openSuite, TestApp, TestWorld } from './support/test-app';
import { sleep, waitFor } from './support/wait';

/**
 * PostgreSQL ending the app's sessions under load (what `pg_terminate_backend`, a
 * failover or a server restart does): every request is answered by the contract — 201,
 * 409, or 503 DATABASE_UNAVAILABLE with Retry-After, never a 500 — and the pool replaces
 * the dead connections by itself. Most checkouts carry an Idempotency-Key: theirs
 * store the answer in the same transaction, one more statement for a session to die under. Real PostgreSQL only: the embedded one runs in-process
 * and has no sessions to terminate.
 */
const REAL_DATABASE = Boolean(process.env.TEST_DATABASE_URL);
const CLIENTS = 16;
const TERMINATIONS = 30;

(REAL_DATABASE ? describe : describe.skip)('PostgreSQL sessions terminated under load', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;
  let side: Client;

  beforeAll(async () => {
    ({ world, t, admin } = await openSuite({ DB_POOL_MAX: '6' }));
    side = new Client({ connectionString: world.databaseUrl });
    await side.connect();
  });
  afterAll(async () => {
    await side?.end();
    await closeSuite({ world, t });
  });

  /** Ends every session of the test's database but the side connection's own; returns how many. */
  const terminateAll = async () => {
    const { rows } = await side.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows.filter((row) => row.ended).length;
  };

  it('answers only 201 / 409 / 503 with Retry-After while sessions die, then 201 again without a restart', async () => {
    const product = await createProduct(t, admin, { stock: 100_000 });
    const buyers = await Promise.all(Array.from({ length: 4 }, () => newCustomer(t.http)));
    const answers: Array<{ status: number; code?: string; retryAfter?: string; keyed?: boolean }> = [];
    let stop = false;
    let placed = 0;

    const client = async (i: number) => {
      const buyer = buyers[i % buyers.length];
      const keyed = i % 4 !== 0;
      while (!stop) {
        const checkout = t.http.post('/v1/orders').set('Authorization', buyer.auth);
        if (keyed) {
          checkout.set('Idempotency-Key', randomUUID());
        }
        const res = await checkout.send({ items: [{ productId: product.id, quantity: 1 }] });
        answers.push({ status: res.status, code: res.body.code, retryAfter: res.headers['retry-after'], keyed });
        if (res.status === 201) {
          placed++;
        }
        // reads too: they meet terminated sessions outside a transaction
        const list = await t.http.get('/v1/orders').set('Authorization', buyer.auth);
        answers.push({ status: list.status, code: list.body.code, retryAfter: list.headers['retry-after'] });
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    let terminated = 0;
    try {
      for (let round = 0; round < TERMINATIONS; round++) {
        await sleep(100);
        terminated += await terminateAll();
      }
    } finally {
      stop = true;
      await load;
    }

    expect(terminated).toBeGreaterThan(0);
    expect(answers.filter((a) => a.keyed).length).toBeGreaterThan(0);
    const unexpected = answers.filter(
      (a) => ![200, 201, 409, 503].includes(a.status) || (a.status === 503 && a.code !== 'DATABASE_UNAVAILABLE'),
    );
    expect(unexpected).toEqual([]);
    const unavailable = answers.filter((a) => a.status === 503);
    expect(unavailable.length).toBeGreaterThan(0); // else no request met a terminated session
    expect(unavailable.filter((a) => !/^\d+$/.test(a.retryAfter ?? ''))).toEqual([]);

    // Healed without a restart: the pool replaced its dead connections.
    const buyer = buyers[0];
    await waitFor(
      'a checkout answered 201',
      async () =>
        (
          await t.http
            .post('/v1/orders')
            .set('Authorization', buyer.auth)
            .send({ items: [{ productId: product.id, quantity: 1 }] })
        ).status,
      (status) => status === 201,
    );
    for (let i = 0; i < 10; i++) {
      await t.http
        .post('/v1/orders')
        .set('Authorization', buyer.auth)
        .send({ items: [{ productId: product.id, quantity: 1 }] })
        .expect(201);
    }
    await t.http.get('/health/ready').expect(200);
    // What answered 201 was committed, and nothing else moved stock.
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM orders`);
    const { stock, sales } = await stockOf(t, product.id);
    expect(sales).toBe(n);
    expect(stock).toBe(100_000 - n);
    expect(n).toBeGreaterThanOrEqual(placed + 11);
  }, 90_000);
});
