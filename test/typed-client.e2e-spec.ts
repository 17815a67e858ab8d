import { randomBytes } from 'node:crypto';
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/openapi';
import { snapshotOpenApiValidator } from './support/openapi-validator';
import { ADMIN, closeSuite, openSuite, type Suite } from './support/test-app';

/** Checks each answer the client gets against the document, as the supertest helper does. */
const conforming: Middleware = {
  async onResponse({ request, response }) {
    const text = await response.clone().text();
    const contentType = response.headers.get('content-type') ?? undefined;
    const problems = snapshotOpenApiValidator().problemsOf({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      headers: Object.fromEntries(response.headers),
      contentType,
      body: contentType?.startsWith('application/json') && text ? JSON.parse(text) : text,
    });
    if (problems.length > 0) {
      throw new Error(`The answer breaks the OpenAPI document:\n  ${problems.join('\n  ')}`);
    }
    return undefined;
  },
};

function client(headers: Record<string, string> = {}) {
  const generated = createClient<paths>({ baseUrl, headers });
  generated.use(conforming);
  return generated;
}

/**
 * A client as a user generates it from the OpenAPI document: types by openapi-typescript
 * (test/generated/openapi.d.ts, `npm run openapi`), calls by openapi-fetch, over the
 * network against the listening app. The file compiles under `strict` without a single
 * type assertion (lint forbids them here): what the document says is all the client knows.
 */
let baseUrl = '';

describe('A client generated from the OpenAPI document', () => {
  let suite: Partial<Suite> = {};

  beforeAll(async () => {
    suite = await openSuite();
    const address: unknown = suite.t?.app.getHttpServer().address();
    if (typeof address !== 'object' || address === null || !('port' in address)) {
      throw new Error('the app is not listening');
    }
    baseUrl = `http://127.0.0.1:${String(address.port)}`;
  });
  afterAll(() => closeSuite(suite));

  async function loggedIn(email: string, password: string) {
    const { data, error } = await client().POST('/v1/auth/login', {
      body: { email, password },
    });
    if (!data) {
      throw new Error(`login failed: ${error?.code}`);
    }
    return client({ Authorization: `${data.tokenType} ${data.accessToken}` });
  }

  it('registers, logs in, lists a page, fills the cart, checks out with a key and reads the order and its history', async () => {
    const anonymous = client();
    const email = `typed-${randomBytes(4).toString('hex')}@mall.test`;
    const password = 'typed-client-password';

    const registered = await anonymous.POST('/v1/auth/register', { body: { email, password, name: 'Typed' } });
    expect(registered.response.status).toBe(201);
    expect(registered.response.headers.get('Location')).toBe('/v1/auth/me');
    expect(registered.data?.role).toBe('customer');

    const admin = await loggedIn(ADMIN.email, ADMIN.password);
    const sku = `TYPED-${randomBytes(4).toString('hex')}`;
    const products = [];
    for (const [index, price] of [1200, 3400].entries()) {
      const created = await admin.POST('/v1/products', {
        body: { sku: `${sku}-${index}`, name: `Typed product ${sku} ${index}`, price, stock: 5 },
      });
      expect(created.response.status).toBe(201);
      if (!created.data) {
        throw new Error(`create product failed: ${created.error?.code}`);
      }
      expect(created.response.headers.get('Location')).toBe(`/v1/products/${created.data.id}`);
      products.push(created.data);
    }

    const page = await anonymous.GET('/v1/products', {
      params: { query: { q: sku, sort: 'price:desc', page: 2, pageSize: 1 } },
    });
    expect(page.data).toMatchObject({ page: 2, pageSize: 1, total: 2 });
    expect(page.data?.items.map((item) => item.price)).toEqual([1200]);

    const buyer = await loggedIn(email, password);
    const cart = await buyer.POST('/v1/cart/items', { body: { productId: products[0].id, quantity: 2 } });
    expect(cart.data).toMatchObject({ totalQuantity: 2, total: 2400 });

    const key = `typed-${randomBytes(6).toString('hex')}`;
    const placed = await buyer.POST('/v1/orders', { body: {}, params: { header: { 'Idempotency-Key': key } } });
    expect(placed.response.status).toBe(201);
    if (!placed.data) {
      throw new Error(`checkout failed: ${placed.error?.code}`);
    }
    const orderId = placed.data.id;
    expect(placed.response.headers.get('Location')).toBe(`/v1/orders/${orderId}`);
    const replayed = await buyer.POST('/v1/orders', { body: {}, params: { header: { 'Idempotency-Key': key } } });
    expect(replayed.response.headers.get('Idempotent-Replayed')).toBe('true');
    expect(replayed.data?.id).toBe(orderId);

    const order = await buyer.GET('/v1/orders/{id}', { params: { path: { id: orderId } } });
    expect(order.data).toMatchObject({ id: orderId, status: 'pending', total: 2400 });
    const mine = await buyer.GET('/v1/orders', { params: { query: { page: 1, pageSize: 10 } } });
    expect(mine.data?.items.map((item) => item.id)).toEqual([orderId]);

    const cancelled = await buyer.POST('/v1/orders/{id}/cancel', { params: { path: { id: orderId } } });
    expect(cancelled.data?.status).toBe('cancelled');

    const history = await buyer.GET('/v1/orders/{id}/events', { params: { path: { id: orderId } } });
    const told: string[] = [];
    for (const event of history.data ?? []) {
      // `type` narrows `data` to that event's shape.
      switch (event.type) {
        case 'OrderCreated':
          told.push(`created ${event.data.total} in ${event.data.items.length} line(s)`);
          break;
        case 'OrderCancelled':
          told.push(`cancelled by ${event.data.reason}`);
          break;
        default:
          told.push(event.type);
      }
    }
    expect(told).toEqual(['created 2400 in 1 line(s)', 'cancelled by customer']);
  });

  it('reads an error answer by its code', async () => {
    const buyer = await loggedIn(ADMIN.email, ADMIN.password);
    const missing = await buyer.GET('/v1/orders/{id}', { params: { path: { id: 2_147_483_000 } } });
    expect(missing.response.status).toBe(404);
    expect(missing.data).toBeUndefined();
    expect(missing.error?.code).toBe('ORDER_NOT_FOUND');
    expect(missing.error?.requestId).toBe(missing.response.headers.get('X-Request-Id'));
  });
});
