import Redis from 'ioredis';
import { CartService } from '../src/cart/cart.service';
import { REDIS } from '../src/redis/redis.constants';
import { closeSuite, newCustomer, openSuite, TestApp, TestWorld } from './support/test-app';
import { sleep } from './support/wait';

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

interface Product {
  id: number;
  name: string;
  price: number;
}

describe('Cart', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;
  let redis: Redis;
  let skuCounter = 0;

  async function createProduct(overrides: Record<string, unknown> = {}): Promise<Product> {
    const sku = `CART-${++skuCounter}`;
    const res = await t.http
      .post('/v1/products')
      .set('Authorization', admin)
      .send({ sku, name: `Cart product ${skuCounter}`, price: 1000, stock: 50, ...overrides })
      .expect(201);
    return res.body as Product;
  }

  const patchProduct = (id: number, patch: Record<string, unknown>) =>
    t.http.patch(`/v1/products/${id}`).set('Authorization', admin).send(patch).expect(200);
  const getCart = (auth: string) => t.http.get('/v1/cart').set('Authorization', auth);
  const addItem = (auth: string, productId: unknown, quantity: unknown) =>
    t.http.post('/v1/cart/items').set('Authorization', auth).send({ productId, quantity });
  const setItem = (auth: string, productId: number | string, quantity: unknown) =>
    t.http.put(`/v1/cart/items/${productId}`).set('Authorization', auth).send({ quantity });
  const removeItem = (auth: string, productId: number | string) =>
    t.http.delete(`/v1/cart/items/${productId}`).set('Authorization', auth);
  const quantities = (body: { items: Array<{ productId: number; quantity: number }> }) =>
    Object.fromEntries(body.items.map((item) => [item.productId, item.quantity]));

  beforeAll(async () => {
    ({ world, t, admin } = await openSuite());
    redis = t.app.get<Redis>(REDIS);
  });
  afterAll(() => closeSuite({ world, t }));

  describe('lines', () => {
    it('starts empty', async () => {
      const { auth } = await newCustomer(t.http);
      const res = await getCart(auth).expect(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual({ items: [], totalQuantity: 0, total: 0 });
    });

    it('adds to a line, sets it, removes it and clears the cart', async () => {
      const { auth } = await newCustomer(t.http);
      const kettle = await createProduct({ name: 'Kettle', price: 12900 });
      const cable = await createProduct({ name: 'Cable', price: 3900 });

      await addItem(auth, kettle.id, 1).expect(200);
      const added = await addItem(auth, kettle.id, 2).expect(200);
      expect(added.body).toEqual({
        items: [{ productId: kettle.id, name: 'Kettle', unitPrice: 12900, quantity: 3, subtotal: 38700 }],
        totalQuantity: 3,
        total: 38700,
      });

      const set = await setItem(auth, cable.id, 4).expect(200);
      expect(set.body.items.map((item: { productId: number }) => item.productId)).toEqual([kettle.id, cable.id]);
      expect(set.body).toMatchObject({ totalQuantity: 7, total: 38700 + 4 * 3900 });

      const lowered = await setItem(auth, cable.id, 1).expect(200);
      expect(quantities(lowered.body)).toEqual({ [kettle.id]: 3, [cable.id]: 1 });

      const removed = await removeItem(auth, kettle.id).expect(200);
      expect(removed.body).toEqual({
        items: [{ productId: cable.id, name: 'Cable', unitPrice: 3900, quantity: 1, subtotal: 3900 }],
        totalQuantity: 1,
        total: 3900,
      });

      const cleared = await t.http.delete('/v1/cart').set('Authorization', auth).expect(204);
      expect(cleared.text).toBe('');
      expect((await getCart(auth).expect(200)).body).toEqual({ items: [], totalQuantity: 0, total: 0 });
    });

    it('removes a line with PUT quantity 0', async () => {
      const { auth } = await newCustomer(t.http);
      const product = await createProduct();
      await addItem(auth, product.id, 2).expect(200);
      const res = await setItem(auth, product.id, 0).expect(200);
      expect(res.body).toEqual({ items: [], totalQuantity: 0, total: 0 });
    });

    it('answers the unchanged cart when removing a line it does not hold', async () => {
      const { auth } = await newCustomer(t.http);
      const product = await createProduct();
      await addItem(auth, product.id, 2).expect(200);
      const res = await removeItem(auth, 987654).expect(200);
      expect(quantities(res.body)).toEqual({ [product.id]: 2 });
    });
  });

  describe('current products', () => {
    it('totals at the current price after an admin changes it', async () => {
      const { auth } = await newCustomer(t.http);
      const product = await createProduct({ price: 500 });
      await addItem(auth, product.id, 3).expect(200);
      await patchProduct(product.id, { price: 450, name: 'Renamed' });
      const res = await getCart(auth).expect(200);
      expect(res.body).toEqual({
        items: [{ productId: product.id, name: 'Renamed', unitPrice: 450, quantity: 3, subtotal: 1350 }],
        totalQuantity: 3,
        total: 1350,
      });
    });

    it('leaves out an inactive product and shows it again once it is active', async () => {
      const { auth } = await newCustomer(t.http);
      const kept = await createProduct();
      const paused = await createProduct();
      await addItem(auth, kept.id, 1).expect(200);
      await addItem(auth, paused.id, 2).expect(200);

      await patchProduct(paused.id, { status: 'inactive' });
      expect(quantities((await getCart(auth).expect(200)).body)).toEqual({ [kept.id]: 1 });

      await patchProduct(paused.id, { status: 'active' });
      expect(quantities((await getCart(auth).expect(200)).body)).toEqual({ [kept.id]: 1, [paused.id]: 2 });
    });

    it('leaves out a deleted product and drops its line from Redis', async () => {
      const { id, auth } = await newCustomer(t.http);
      const kept = await createProduct();
      const doomed = await createProduct();
      await addItem(auth, kept.id, 1).expect(200);
      await addItem(auth, doomed.id, 1).expect(200);
      await t.http.delete(`/v1/products/${doomed.id}`).set('Authorization', admin).expect(204);

      const res = await getCart(auth).expect(200);
      expect(quantities(res.body)).toEqual({ [kept.id]: 1 });
      expect(await redis.hgetall(`cart:${id}`)).toEqual({ [kept.id]: '1' });
    });
  });

  describe('errors', () => {
    it('answers 404 PRODUCT_NOT_FOUND for an unknown or inactive product', async () => {
      const { auth } = await newCustomer(t.http);
      const inactive = await createProduct({ status: 'inactive' });
      for (const productId of [987654, inactive.id]) {
        const added = await addItem(auth, productId, 1).expect(404);
        expect(added.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'PRODUCT_NOT_FOUND' });
        const set = await setItem(auth, productId, 1).expect(404);
        expect(set.body.code).toBe('PRODUCT_NOT_FOUND');
      }
      expect((await getCart(auth).expect(200)).body.items).toEqual([]);
    });

    it('answers 409 INSUFFICIENT_STOCK when a line would exceed the stock, and keeps the line', async () => {
      const { auth } = await newCustomer(t.http);
      const product = await createProduct({ stock: 5 });
      await addItem(auth, product.id, 5).expect(200);
      const added = await addItem(auth, product.id, 1).expect(409);
      expect(added.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'INSUFFICIENT_STOCK' });
      const set = await setItem(auth, product.id, 6).expect(409);
      expect(set.body.code).toBe('INSUFFICIENT_STOCK');
      await setItem(auth, product.id, 4).expect(200);

      const fresh = await newCustomer(t.http);
      await addItem(fresh.auth, product.id, 6).expect(409);
      expect(quantities((await getCart(auth).expect(200)).body)).toEqual({ [product.id]: 4 });
      expect((await getCart(fresh.auth).expect(200)).body.items).toEqual([]);
    });

    it.each<[Record<string, unknown>, string]>([
      [{ quantity: 1 }, 'productId'],
      [{ productId: '7', quantity: 1 }, 'productId'],
      [{ productId: 1.5, quantity: 1 }, 'productId'],
      [{ productId: 0, quantity: 1 }, 'productId'],
      [{ productId: 'PRODUCT' }, 'quantity'],
      [{ productId: 'PRODUCT', quantity: 0 }, 'quantity'],
      [{ productId: 'PRODUCT', quantity: -1 }, 'quantity'],
      [{ productId: 'PRODUCT', quantity: 1000 }, 'quantity'],
      [{ productId: 'PRODUCT', quantity: 1.5 }, 'quantity'],
      [{ productId: 'PRODUCT', quantity: '2' }, 'quantity'],
      [{ productId: 'PRODUCT', quantity: 1, price: 1 }, 'price'],
    ])('answers POST %j with 400 VALIDATION_FAILED naming %s', async (template, field) => {
      const { auth } = await newCustomer(t.http);
      const product = await createProduct();
      // 'PRODUCT' stands for a real product, so only the named field is wrong.
      const body = { ...template, ...(template.productId === 'PRODUCT' ? { productId: product.id } : {}) };
      const res = await t.http.post('/v1/cart/items').set('Authorization', auth).send(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it.each([[{}], [{ quantity: -1 }], [{ quantity: 1000 }], [{ quantity: 2.5 }], [{ quantity: '3' }]])(
      'answers PUT %j with 400 VALIDATION_FAILED',
      async (body) => {
        const { auth } = await newCustomer(t.http);
        const product = await createProduct();
        const res = await t.http.put(`/v1/cart/items/${product.id}`).set('Authorization', auth).send(body).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'quantity' })]));
      },
    );

    it.each(['abc', '1.5', '-3', '0', '99999999999'])(
      'answers 400 INVALID_PARAMETER for the product id %s',
      async (bad) => {
        const { auth } = await newCustomer(t.http);
        expect((await setItem(auth, bad, 1).expect(400)).body.code).toBe('INVALID_PARAMETER');
        expect((await removeItem(auth, bad).expect(400)).body.code).toBe('INVALID_PARAMETER');
      },
    );

    it('answers 401 on every route without a valid token', async () => {
      const product = await createProduct();
      const routes = [
        () => t.http.get('/v1/cart'),
        () => t.http.post('/v1/cart/items').send({ productId: product.id, quantity: 1 }),
        () => t.http.put(`/v1/cart/items/${product.id}`).send({ quantity: 1 }),
        () => t.http.delete(`/v1/cart/items/${product.id}`),
        () => t.http.delete('/v1/cart'),
      ];
      for (const route of routes) {
        expect((await route().expect(401)).body.code).toBe('UNAUTHENTICATED');
        await route().set('Authorization', 'Bearer not-a-token').expect(401);
      }
    });

    it('answers 503 CART_UNAVAILABLE with Retry-After when Redis fails', async () => {
      const { auth } = await newCustomer(t.http);
      const spy = jest.spyOn(redis, 'hgetall').mockRejectedValueOnce(new Error('Connection is closed.'));
      try {
        const res = await getCart(auth).expect(503);
        expect(res.body.code).toBe('CART_UNAVAILABLE');
        expect(res.headers['retry-after']).toBeDefined();
      } finally {
        spy.mockRestore();
      }
      await getCart(auth).expect(200);
    });
  });

  describe('limits', () => {
    it('caps a line at 999 with 400 QUANTITY_LIMIT_EXCEEDED, keeping what it holds', async () => {
      const { auth } = await newCustomer(t.http);
      const product = await createProduct({ stock: 5000 });
      await addItem(auth, product.id, 998).expect(200);
      await addItem(auth, product.id, 1).expect(200);
      const res = await addItem(auth, product.id, 1).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'QUANTITY_LIMIT_EXCEEDED' });
      await setItem(auth, product.id, 999).expect(200);
      expect(quantities((await getCart(auth).expect(200)).body)).toEqual({ [product.id]: 999 });
    });

    it('caps a cart at 100 lines with 400 CART_FULL; existing lines still change', async () => {
      const { auth } = await newCustomer(t.http);
      const products: Product[] = [];
      for (let batch = 0; batch < 101; batch += 10) {
        const size = Math.min(10, 101 - batch);
        products.push(...(await Promise.all(Array.from({ length: size }, () => createProduct({ price: 100 })))));
      }
      const [first, ...rest] = products;
      const extra = rest.pop()!;
      for (let index = 0; index < rest.length; index += 10) {
        await Promise.all(rest.slice(index, index + 10).map((p) => addItem(auth, p.id, 1).expect(200)));
      }
      await addItem(auth, first.id, 1).expect(200);

      const full = await addItem(auth, extra.id, 1).expect(400);
      expect(full.body).toMatchObject({ statusCode: 400, code: 'CART_FULL' });
      expect((await setItem(auth, extra.id, 1).expect(400)).body.code).toBe('CART_FULL');

      await addItem(auth, first.id, 2).expect(200);
      await setItem(auth, first.id, 5).expect(200);
      const cart = await getCart(auth).expect(200);
      expect(cart.body.items).toHaveLength(100);
      expect(cart.body).toMatchObject({ totalQuantity: 104, total: 10400 });

      await removeItem(auth, first.id).expect(200);
      await addItem(auth, extra.id, 1).expect(200);
    });
  });

  describe('ownership', () => {
    it('keeps each cart to its own user', async () => {
      const alice = await newCustomer(t.http);
      const bob = await newCustomer(t.http);
      const product = await createProduct();
      await addItem(alice.auth, product.id, 2).expect(200);

      expect((await getCart(bob.auth).expect(200)).body).toEqual({ items: [], totalQuantity: 0, total: 0 });
      await removeItem(bob.auth, product.id).expect(200);
      await t.http.delete('/v1/cart').set('Authorization', bob.auth).expect(204);
      await addItem(bob.auth, product.id, 1).expect(200);

      expect(quantities((await getCart(alice.auth).expect(200)).body)).toEqual({ [product.id]: 2 });
      expect(quantities((await getCart(bob.auth).expect(200)).body)).toEqual({ [product.id]: 1 });
    });

    it('gives an admin a cart of their own too', async () => {
      const customer = await newCustomer(t.http);
      const product = await createProduct();
      await addItem(admin, product.id, 3).expect(200);
      expect((await getCart(customer.auth).expect(200)).body.items).toEqual([]);
      await t.http.delete('/v1/cart').set('Authorization', admin).expect(204);
    });
  });

  describe('storage', () => {
    it('keeps one hash per user with a 30-day TTL that every write sets again', async () => {
      const { id, auth } = await newCustomer(t.http);
      const product = await createProduct();
      const key = `cart:${id}`;
      const expectFreshTtl = async () => {
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(THIRTY_DAYS_MS - 60_000);
        expect(ttl).toBeLessThanOrEqual(THIRTY_DAYS_MS);
      };
      const other = await createProduct();

      await addItem(auth, product.id, 2).expect(200);
      expect(await redis.hgetall(key)).toEqual({ [product.id]: '2' });
      await expectFreshTtl();

      for (const write of [
        () => addItem(auth, product.id, 1),
        () => setItem(auth, product.id, 4),
        () => addItem(auth, other.id, 1),
        () => removeItem(auth, other.id),
      ]) {
        await redis.pexpire(key, 60_000);
        await write().expect(200);
        await expectFreshTtl();
      }

      // A read is not a change: it leaves the expiry alone.
      await redis.pexpire(key, 60_000);
      await getCart(auth).expect(200);
      expect(await redis.pttl(key)).toBeLessThanOrEqual(60_000);

      await t.http.delete('/v1/cart').set('Authorization', auth).expect(204);
      expect(await redis.exists(key)).toBe(0);
    });

    it("answers an add in one round trip for the cart and one for its lines' products", async () => {
      const { auth } = await newCustomer(t.http);
      const products = await Promise.all(Array.from({ length: 6 }, () => createProduct()));
      for (const product of products.slice(0, 5)) {
        await addItem(auth, product.id, 1).expect(200);
      }
      await sleep(150); // past the in-process cache layer: the line products are read from Redis
      const productReads = jest.spyOn(redis, 'get');
      const batchReads = jest.spyOn(redis, 'mget');
      const cartReads = jest.spyOn(redis, 'hgetall');
      try {
        const res = await addItem(auth, products[5].id, 1).expect(200);
        expect(res.body.items).toHaveLength(6);
        // The added product itself is looked up first (to check it is on sale), then the
        // view reads all its lines' products in one more round trip.
        const isProductKey = (key: unknown) => String(key).startsWith('cache:product:');
        const trips = [...productReads.mock.calls, ...batchReads.mock.calls]
          .map((keys) => (keys as unknown[]).filter(isProductKey))
          .filter((keys) => keys.length > 0);
        expect(trips.length).toBeLessThanOrEqual(2);
        expect(trips.some((keys) => keys.length >= 5)).toBe(true); // the sixth may be in L1 since its lookup
        expect(cartReads).not.toHaveBeenCalled();
      } finally {
        jest.restoreAllMocks();
      }
    });

    it('adds up 20 concurrent adds of one product by one user exactly', async () => {
      const { auth } = await newCustomer(t.http);
      const product = await createProduct({ stock: 100 });
      await Promise.all(Array.from({ length: 20 }, () => addItem(auth, product.id, 1).expect(200)));
      expect(quantities((await getCart(auth).expect(200)).body)).toEqual({ [product.id]: 20 });
    });

    it('lets concurrent adds past the stock fail, never overshoot', async () => {
      const { auth } = await newCustomer(t.http);
      const product = await createProduct({ stock: 15 });
      const answers = await Promise.all(Array.from({ length: 20 }, () => addItem(auth, product.id, 1)));
      const statuses = answers.map((res) => res.status).sort();
      expect(statuses).toEqual([...Array<number>(15).fill(200), ...Array<number>(5).fill(409)]);
      expect(quantities((await getCart(auth).expect(200)).body)).toEqual({ [product.id]: 15 });
    });
  });

  describe('for checkout (CartService)', () => {
    it('lists the raw lines by product id and removes chosen ones in one call', async () => {
      const { id, auth } = await newCustomer(t.http);
      const cart = t.app.get(CartService);
      const [a, b, c] = [await createProduct(), await createProduct(), await createProduct()];
      await addItem(auth, c.id, 3).expect(200);
      await addItem(auth, a.id, 1).expect(200);
      await addItem(auth, b.id, 2).expect(200);
      await patchProduct(b.id, { status: 'inactive' });

      // Raw lines: the inactive product's line is still there; checkout decides about it.
      expect(await cart.lines(id)).toEqual([
        { productId: a.id, quantity: 1 },
        { productId: b.id, quantity: 2 },
        { productId: c.id, quantity: 3 },
      ]);

      await redis.pexpire(`cart:${id}`, 60_000);
      await cart.removeProducts(id, [a.id, c.id]);
      expect(await cart.lines(id)).toEqual([{ productId: b.id, quantity: 2 }]);
      expect(await redis.pttl(`cart:${id}`)).toBeGreaterThan(THIRTY_DAYS_MS - 60_000);
      await cart.removeProducts(id, []);
      expect(await cart.lines(id)).toHaveLength(1);
    });
  });
});
