import type Redis from 'ioredis';
import { ServiceUnavailableError, TooManyRequestsError } from '../src/common/errors/domain-error';
import { IdempotentRequests } from '../src/orders/idempotent-requests.service';
import { InsufficientStockError } from '../src/products/products.errors';
import { REDIS } from '../src/redis/redis.constants';
import { createProduct, stockOf } from './support/catalog';
import { closeSuite, newCustomer, openSuite, startApp, TestApp, TestWorld } from './support/test-app';
import { sleep } from './support/wait';

/**
 * Idempotency-Key answers are stored as the bytes that were sent, 4xx outcomes of the
 * checkout included (API.md § Orders), and replayed verbatim.
 */
describe('Idempotent answers', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;

  const order = (auth: string, key: string, body: object) =>
    t.http.post('/v1/orders').set('Authorization', auth).set('Idempotency-Key', key).send(body);
  const ordersOf = async (userId: number) =>
    (await t.dataSource.query(`SELECT id FROM orders WHERE user_id = $1`, [userId])) as Array<{ id: number }>;

  beforeAll(async () => ({ world, t, admin } = await openSuite()));
  afterAll(() => closeSuite({ world, t }));

  describe('over HTTP', () => {
    it('replays a 201 with the very bytes of the first answer', async () => {
      const buyer = await newCustomer(t.http);
      const product = await createProduct(t, admin, { stock: 5 });
      const body = { items: [{ productId: product.id, quantity: 2 }] };
      const first = await order(buyer.auth, 'bytes-201', body).expect(201);
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(first.headers.location).toBe(`/v1/orders/${first.body.id}`);
      const again = await order(buyer.auth, 'bytes-201', body).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.text).toBe(first.text);
      // the first answer keeps the DTO's field order, which jsonb storage used to lose
      expect(Object.keys(JSON.parse(again.text) as object)).toEqual([
        'id',
        'orderSn',
        'status',
        'items',
        'total',
        'createdAt',
        'updatedAt',
      ]);
    });

    it('replays a 409 INSUFFICIENT_STOCK byte for byte, and never orders, even once stock is raised', async () => {
      const buyer = await newCustomer(t.http);
      const product = await createProduct(t, admin, { stock: 2 });
      const body = { items: [{ productId: product.id, quantity: 3 }] };
      const first = await order(buyer.auth, 'short', body).set('X-Request-Id', 'first-try').expect(409);
      expect(first.body).toMatchObject({ code: 'INSUFFICIENT_STOCK', requestId: 'first-try' });
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(first.headers['idempotent-replayed']).toBeUndefined();

      await t.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send({ stock: 10 }).expect(200);
      const again = await order(buyer.auth, 'short', body).set('X-Request-Id', 'second-try').expect(409);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(again.headers['x-request-id']).toBe('second-try');
      // the body is the first answer's, its requestId included
      expect(again.text).toBe(first.text);
      expect(await ordersOf(buyer.id)).toEqual([]);
      expect(await stockOf(t, product.id)).toEqual({ stock: 10, sales: 0 });
      // the same key with another body is still refused
      const other = await order(buyer.auth, 'short', { items: [{ productId: product.id, quantity: 1 }] }).expect(422);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('replays a 404 PRODUCT_NOT_FOUND and a 400 EMPTY_CART', async () => {
      const buyer = await newCustomer(t.http);
      const missing = { items: [{ productId: 2_000_000_000, quantity: 1 }] };
      const notFound = await order(buyer.auth, 'missing', missing).expect(404);
      expect(notFound.body.code).toBe('PRODUCT_NOT_FOUND');
      const notFoundAgain = await order(buyer.auth, 'missing', missing).expect(404);
      expect(notFoundAgain.headers['idempotent-replayed']).toBe('true');
      expect(notFoundAgain.text).toBe(notFound.text);

      const empty = await order(buyer.auth, 'empty', {}).expect(400);
      expect(empty.body.code).toBe('EMPTY_CART');
      const product = await createProduct(t, admin, { stock: 5 });
      await t.http
        .post('/v1/cart/items')
        .set('Authorization', buyer.auth)
        .send({ productId: product.id, quantity: 1 })
        .expect(200);
      const emptyAgain = await order(buyer.auth, 'empty', {}).expect(400);
      expect(emptyAgain.headers['idempotent-replayed']).toBe('true');
      expect(emptyAgain.text).toBe(empty.text);
      expect(await ordersOf(buyer.id)).toEqual([]);
    });

    it('stores nothing for a request refused before it ran (validation): its key stays free', async () => {
      const buyer = await newCustomer(t.http);
      const product = await createProduct(t, admin, { stock: 5 });
      const invalid = await order(buyer.auth, 'invalid', { items: [{ productId: product.id, quantity: 0 }] }).expect(
        400,
      );
      expect(invalid.body.code).toBe('VALIDATION_FAILED');
      const valid = await order(buyer.auth, 'invalid', { items: [{ productId: product.id, quantity: 1 }] }).expect(201);
      expect(valid.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('the service, with REQUEST_TIMEOUT_MS=1000', () => {
    let short: TestApp;
    beforeAll(async () => {
      short = await startApp(world, { REQUEST_TIMEOUT_MS: '1000' });
    });
    afterAll(() => short?.close());

    it('holds the key REQUEST_TIMEOUT_MS + 1 s, and rolls back a write that outlives its deadline', async () => {
      const idempotent = short.app.get(IdempotentRequests);
      const redis = short.app.get<Redis>(REDIS);
      const { id } = await newCustomer(short.http);
      const scope = { userId: id, route: 'TEST /deadline', key: 'slow', body: {}, requestId: 'r' };
      const lockTtl = () => redis.pttl(`lock:idempotency:${id}:TEST /deadline:slow`);
      let ttlWhileRunning = 0;
      const slow = idempotent.run(scope, async (manager) => {
        ttlWhileRunning = await lockTtl();
        await manager.query(`UPDATE users SET name = 'written late' WHERE id = $1`, [id]);
        await sleep(1_300);
        return { status: 201, body: { late: true }, headers: {} };
      });
      await expect(slow).rejects.toMatchObject({ status: 503, code: 'REQUEST_TIMEOUT' });
      expect(ttlWhileRunning).toBeGreaterThan(0);
      expect(ttlWhileRunning).toBeLessThanOrEqual(2_000);
      // nothing committed, nothing stored, and the key is free at once
      const [user] = await short.dataSource.query(`SELECT name FROM users WHERE id = $1`, [id]);
      expect(user.name).not.toBe('written late');
      expect(await lockTtl()).toBe(-2);
      const retried = await idempotent.run(scope, async () => ({ status: 201, body: { late: false }, headers: {} }));
      expect(retried).toMatchObject({ status: 201, json: '{"late":false}', replayed: false });
    });

    it('rolls back a write without a key that outlives REQUEST_TIMEOUT_MS too', async () => {
      const idempotent = short.app.get(IdempotentRequests);
      const { id } = await newCustomer(short.http);
      const slow = idempotent.run(
        { userId: id, route: 'TEST /deadline', body: {}, requestId: 'r' },
        async (manager) => {
          await manager.query(`UPDATE users SET name = 'written late' WHERE id = $1`, [id]);
          await sleep(1_300);
          return { status: 201, body: {}, headers: {} };
        },
      );
      await expect(slow).rejects.toMatchObject({ status: 503, code: 'REQUEST_TIMEOUT' });
      const [user] = await short.dataSource.query(`SELECT name FROM users WHERE id = $1`, [id]);
      expect(user.name).not.toBe('written late');
    });
  });

  describe('the service', () => {
    let idempotent: IdempotentRequests;
    beforeAll(() => {
      idempotent = t.app.get(IdempotentRequests);
    });
    const scope = (userId: number, key: string, requestId = 'req-1') => ({
      userId,
      route: 'TEST /idempotency',
      key,
      body: { n: 1 },
      requestId,
    });

    it('stores the text it answered and replays it as is', async () => {
      const { id } = await newCustomer(t.http);
      let runs = 0;
      const work = async () => {
        runs++;
        return { status: 201, body: { z: 1, a: { y: [2, 1], b: null }, m: 'é' }, headers: { Location: '/x' } };
      };
      const first = await idempotent.run(scope(id, 'text'), work);
      expect(first).toEqual({
        status: 201,
        json: '{"z":1,"a":{"y":[2,1],"b":null},"m":"é"}',
        headers: { Location: '/x' },
        replayed: false,
      });
      const again = await idempotent.run(scope(id, 'text'), work);
      expect(again).toEqual({ ...first, replayed: true });
      expect(runs).toBe(1);
      const [row] = await t.dataSource.query(
        `SELECT response FROM idempotency_keys WHERE user_id = $1 AND route = 'TEST /idempotency' AND key = 'text'`,
        [id],
      );
      expect(row.response).toBe(first.json);
    });

    it('stores a 4xx the work threw, with the first request id, and not a 429 or a 5xx', async () => {
      const { id } = await newCustomer(t.http);
      const conflict = await idempotent.run(scope(id, 'conflict', 'first-id'), () =>
        Promise.reject(new InsufficientStockError(7)),
      );
      expect(conflict).toMatchObject({ status: 409, replayed: false });
      expect(JSON.parse(conflict.json)).toEqual({
        statusCode: 409,
        error: 'Conflict',
        code: 'INSUFFICIENT_STOCK',
        message: expect.any(String),
        requestId: 'first-id',
      });
      const replay = await idempotent.run(scope(id, 'conflict', 'second-id'), () => {
        throw new Error('must not run again');
      });
      expect(replay).toEqual({ ...conflict, replayed: true });

      for (const error of [
        new ServiceUnavailableError('DATABASE_UNAVAILABLE', 'down'),
        new TooManyRequestsError('X', 'slow', 1),
      ]) {
        const key = `not-stored-${error.status}`;
        await expect(idempotent.run(scope(id, key), () => Promise.reject(error))).rejects.toBe(error);
        const retried = await idempotent.run(scope(id, key), async () => ({
          status: 201,
          body: { ok: true },
          headers: {},
        }));
        expect(retried).toMatchObject({ status: 201, json: '{"ok":true}', replayed: false });
      }
    });
  });
});
