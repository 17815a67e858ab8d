import type { Response } from 'supertest';
import { signWebhook } from '../src/orders/webhooks/webhook-signature.guard';
import { createProduct } from './support/catalog';
import { closeSuite, newCustomer, openSuite, TestApp, TestWorld } from './support/test-app';

const WEBHOOK_SECRET = 'edge-inputs-webhook-secret';
const NUL = '\u0000';

/** The contract's error body, with a 4xx status and no stack trace. */
function expectContractError(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.body).toEqual({
    statusCode: status,
    error: expect.any(String),
    code,
    message: expect.any(String),
    requestId: res.headers['x-request-id'],
    ...(code === 'VALIDATION_FAILED' ? { details: expect.any(Array) } : {}),
  });
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.[jt]s:\d+/);
}

/** `{"a":{"a":…}}` with `levels` objects. */
function nested(levels: number): string {
  return '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
}

describe('Edge inputs: every odd input is a 4xx contract error, never a 500', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;
  let customer: { auth: string };
  let product: { id: number; sku: string };

  beforeAll(async () => {
    ({ world, t, admin } = await openSuite({ WEBHOOK_SECRET }));
    customer = await newCustomer(t.http);
    product = await createProduct(t, admin, { price: 500, stock: 5 });
  });
  afterAll(() => closeSuite({ world, t }));

  const webhook = (kind: 'payments' | 'logistics', raw: string) =>
    t.http
      .post(`/v1/webhooks/${kind}`)
      .set('Content-Type', 'application/json')
      .set('X-Signature', signWebhook(raw, WEBHOOK_SECRET))
      .send(raw);

  describe('NUL characters', () => {
    it('in a query string is 400 VALIDATION_FAILED naming the parameter', async () => {
      const res = await t.http.get('/v1/products?q=a%00b');
      expectContractError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([{ field: 'q', message: expect.stringMatching(/NUL/) }]);
    });

    it('in a path parameter is 400 INVALID_PARAMETER', async () => {
      expectContractError(await t.http.get(`/v1/products/${product.id}%00`), 400, 'INVALID_PARAMETER');
    });

    it.each([
      ['sku', { sku: `A${NUL}B`, name: 'n', price: 1, stock: 1 }],
      ['name', { sku: 'NUL-NAME', name: `x${NUL}`, price: 1, stock: 1 }],
      ['description', { sku: 'NUL-DESC', name: 'n', description: NUL, price: 1, stock: 1 }],
    ])('in body field %s of a product is 400 VALIDATION_FAILED naming it', async (field, body) => {
      const res = await t.http.post('/v1/products').set('Authorization', admin).send(body);
      expectContractError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toContainEqual({ field, message: expect.stringMatching(/NUL/) });
    });

    it('in an unknown field name is refused before it is used anywhere', async () => {
      const res = await t.http
        .post('/v1/products')
        .set('Authorization', admin)
        .send({ [`x${NUL}`]: 1 });
      expectContractError(res, 400, 'VALIDATION_FAILED');
    });

    it('in registration, login and shipping fields', async () => {
      const register = await t.http
        .post('/v1/auth/register')
        .send({ email: 'nul@example.com', password: `pass${NUL}word-1`, name: `N${NUL}` });
      expectContractError(register, 400, 'VALIDATION_FAILED');
      const login = await t.http.post('/v1/auth/login').send({ email: `a${NUL}@example.com`, password: 'whatever-1' });
      expectContractError(login, 400, 'VALIDATION_FAILED');
      const ship = await t.http
        .post('/v1/orders/1/ship')
        .set('Authorization', admin)
        .send({ carrier: `SF${NUL}` });
      expectContractError(ship, 400, 'VALIDATION_FAILED');
    });

    it.each([
      ['payments', { eventId: `e${NUL}1`, orderSn: '1', status: 'succeeded', amount: 1 }],
      ['payments', { eventId: 'e-2', orderSn: `1${NUL}`, status: 'failed', amount: 1 }],
      ['logistics', { eventId: `e${NUL}3`, orderSn: '1', status: 'delivered' }],
    ] as const)('in a signed %s webhook field is 400 VALIDATION_FAILED', async (kind, body) => {
      expectContractError(await webhook(kind, JSON.stringify(body)), 400, 'VALIDATION_FAILED');
    });
  });

  describe('text that is not well-formed Unicode', () => {
    it('a lone surrogate in a body string is 400 VALIDATION_FAILED naming the field', async () => {
      const res = await t.http
        .post('/v1/auth/register')
        .set('Content-Type', 'application/json')
        .send('{"email":"ada@exa\\ud800mple.com","password":"long-enough-1"}');
      expectContractError(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([{ field: 'email', message: expect.stringMatching(/surrogate/) }]);
    });

    it.each(['%E0%A4%A', '%', '%zz', '%C0%AF', '%FF'])(
      'a path %s that is no percent-encoded UTF-8 is 400 MALFORMED_URL',
      async (id) => {
        expectContractError(await t.http.get(`/v1/products/${id}`), 400, 'MALFORMED_URL');
        expectContractError(
          await t.http.delete(`/v1/cart/items/${id}`).set('Authorization', customer.auth),
          400,
          'MALFORMED_URL',
        );
      },
    );
  });

  describe('numbers out of range', () => {
    it.each(['minPrice=99999999999', 'maxPrice=1e308', 'minPrice=9007199254740993', 'page=2147483648', 'pageSize=1e2'])(
      'in the product list query (%s) is 400',
      async (query) => {
        expectContractError(await t.http.get(`/v1/products?${query}`), 400, 'VALIDATION_FAILED');
      },
    );

    it.each([{ price: 2_147_483_648 }, { price: 1e308 }, { stock: 2 ** 53 + 1 }, { stock: -1 }, { price: 1.5 }])(
      'in a product body (%j) is 400',
      async (fields) => {
        const body = { sku: `RANGE-${Object.values(fields)[0]}`, name: 'n', price: 1, stock: 1, ...fields };
        expectContractError(
          await t.http.post('/v1/products').set('Authorization', admin).send(body),
          400,
          'VALIDATION_FAILED',
        );
      },
    );

    it.each([
      { productId: 2 ** 31, quantity: 1 },
      { productId: 1e308, quantity: 1 },
      { productId: 1, quantity: 2 ** 53 + 1 },
    ])('in a cart line (%j) is 400', async (body) => {
      const res = await t.http.post('/v1/cart/items').set('Authorization', customer.auth).send(body);
      expectContractError(res, 400, 'VALIDATION_FAILED');
    });

    it.each([1e308, 2 ** 53 + 1, -1, 0.5])('as a webhook amount (%s) is 400', async (amount) => {
      const raw = `{"eventId":"amount-${amount}","orderSn":"1","status":"succeeded","amount":${amount}}`;
      expectContractError(await webhook('payments', raw), 400, 'VALIDATION_FAILED');
    });

    it('negative zero counts as zero', async () => {
      const res = await t.http
        .post('/v1/products')
        .set('Authorization', admin)
        .set('Content-Type', 'application/json')
        .send('{"sku":"NEG-ZERO","name":"n","price":-0,"stock":-0}')
        .expect(201);
      expect(res.body).toMatchObject({ price: 0, stock: 0 });
    });
  });

  describe('ISO-8601 dates', () => {
    it.each([
      '2026-W01-1',
      '2026W011',
      '20260101',
      '2026-02-30',
      '2026-13-01',
      '2026-01-01T25:00:00Z',
      '2026-001',
      '+002026-01-01',
      '2026-01-01T00:00:00',
    ])('createdAfter=%s is 400', async (value) => {
      const res = await t.http.get(`/v1/products?createdAfter=${encodeURIComponent(value)}`);
      expectContractError(res, 400, 'VALIDATION_FAILED');
    });

    it.each(['2026-01-01', '2026-01-01T00:00:00Z', '2026-01-01T08:00:00.123+08:00'])(
      'createdAfter=%s is a date',
      async (value) => {
        await t.http.get(`/v1/products?createdAfter=${encodeURIComponent(value)}`).expect(200);
      },
    );
  });

  describe('JSON nesting', () => {
    it('32 levels are parsed (and then validated)', async () => {
      const res = await t.http.post('/v1/auth/register').set('Content-Type', 'application/json').send(nested(32));
      expectContractError(res, 400, 'VALIDATION_FAILED');
    });

    it.each([33, 5000])('%i levels are refused before validation with 400 JSON_TOO_DEEP', async (levels) => {
      const res = await t.http.post('/v1/auth/register').set('Content-Type', 'application/json').send(nested(levels));
      expectContractError(res, 400, 'JSON_TOO_DEEP');
    });

    it('deep arrays inside a known field are refused too', async () => {
      const raw = `{"items":${'['.repeat(40)}${']'.repeat(40)}}`;
      const res = await t.http
        .post('/v1/orders')
        .set('Authorization', customer.auth)
        .set('Content-Type', 'application/json')
        .send(raw);
      expectContractError(res, 400, 'JSON_TOO_DEEP');
    });

    it('brackets inside strings do not count', async () => {
      const res = await t.http
        .post('/v1/auth/register')
        .send({ email: 'brackets@example.com', password: '{'.repeat(100), name: '['.repeat(50) });
      expect(res.status).toBe(201);
    });
  });

  describe('body shapes', () => {
    it.each([[[[]]], [[null]], [[1]], [['x']], [{}], ['items'], [[{ productId: 1, quantity: 1 }, []]]])(
      'order items %j are 400 VALIDATION_FAILED',
      async (items) => {
        const res = await t.http.post('/v1/orders').set('Authorization', customer.auth).send({ items });
        expectContractError(res, 400, 'VALIDATION_FAILED');
      },
    );

    it.each(['5', '"text"', 'null', '[]', '[{"sku":"x"}]', 'true'])(
      'a JSON body %s that is no object is 400',
      async (raw) => {
        const res = await t.http
          .post('/v1/products')
          .set('Authorization', admin)
          .set('Content-Type', 'application/json')
          .send(raw);
        expect(res.status).toBe(400);
        expectContractError(res, 400, res.body.code);
      },
    );

    it.each([{ name: null }, { price: null }, { status: null }, { sku: null }, { description: null }])(
      'PATCH /v1/products/:id with %j is 400 VALIDATION_FAILED',
      async (patch) => {
        const res = await t.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send(patch);
        expectContractError(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toContainEqual({ field: Object.keys(patch)[0], message: expect.any(String) });
      },
    );

    it.each([{ description: null }, { status: null }])('POST /v1/products with %j is 400', async (fields) => {
      const body = { sku: `NULL-${Object.keys(fields)[0]}`, name: 'n', price: 1, stock: 1, ...fields };
      expectContractError(
        await t.http.post('/v1/products').set('Authorization', admin).send(body),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('POST /v1/orders with items: null is 400', async () => {
      const res = await t.http.post('/v1/orders').set('Authorization', customer.auth).send({ items: null });
      expectContractError(res, 400, 'VALIDATION_FAILED');
    });

    it('__proto__ and constructor keys are refused', async () => {
      for (const raw of ['{"__proto__":{"role":"admin"}}', '{"constructor":{"prototype":{"x":1}}}']) {
        const res = await t.http.post('/v1/auth/register').set('Content-Type', 'application/json').send(raw);
        expect(res.status).toBe(400);
        expectContractError(res, 400, res.body.code);
      }
    });
  });

  describe('numbers in paths and queries are plain decimal digits', () => {
    it.each(['0x10', '1e3', '%207', '7%20', '+7', '-7', '7.0', '0', '2147483648', '1_000', '%EF%BC%97'])(
      'product id %s is 400 INVALID_PARAMETER',
      async (id) => {
        expectContractError(await t.http.get(`/v1/products/${id}`), 400, 'INVALID_PARAMETER');
      },
    );

    it.each(['0x10', '1e3', '%207', '+7', '7.0'])('cart and order ids %s are 400 too', async (id) => {
      const auth = customer.auth;
      expectContractError(
        await t.http.delete(`/v1/cart/items/${id}`).set('Authorization', auth),
        400,
        'INVALID_PARAMETER',
      );
      expectContractError(await t.http.get(`/v1/orders/${id}`).set('Authorization', auth), 400, 'INVALID_PARAMETER');
    });

    it('leading zeros name the same id, cached or not', async () => {
      const plain = await t.http.get(`/v1/products/${product.id}`).expect(200);
      const padded = await t.http.get(`/v1/products/000${product.id}`).expect(200);
      expect(padded.body).toEqual(plain.body);
    });

    it('an id the pipe refuses is refused when its canonical form is cached too', async () => {
      await t.http.get(`/v1/products/${product.id}`).expect(200);
      await t.http.get(`/v1/products/${product.id}`).expect(200);
      for (const id of [`+${product.id}`, `${product.id}.0`, `0x${product.id.toString(16)}`]) {
        expectContractError(await t.http.get(`/v1/products/${id}`), 400, 'INVALID_PARAMETER');
        expectContractError(await t.http.get(`/v1/products/${id}`), 400, 'INVALID_PARAMETER');
      }
    });

    it('a zero-padded id longer than ten digits still names the product', async () => {
      const padded = `${'0'.repeat(12)}${product.id}`;
      await t.http.get(`/v1/products/${product.id}`).expect(200);
      const cached = await t.http.get(`/v1/products/${padded}`).expect(200);
      expect(cached.body.id).toBe(product.id);
    });

    it.each(['page=0x1', 'page=1e0', 'page=%201', 'page=+1', 'page=1.0', 'pageSize=', 'minPrice=-0', 'page=1&page=2'])(
      'query %s is 400 VALIDATION_FAILED',
      async (query) => {
        expectContractError(await t.http.get(`/v1/products?${query}`), 400, 'VALIDATION_FAILED');
      },
    );

    it('query page=01 is page 1', async () => {
      const res = await t.http.get('/v1/products?page=01&pageSize=05').expect(200);
      expect(res.body).toMatchObject({ page: 1, pageSize: 5 });
    });
  });
});
