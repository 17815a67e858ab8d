import { CacheInterceptor } from '../src/cache/cache.interceptor';
import { closeSuite, newCustomer, openSuite, startApp, TestApp, TestWorld } from './support/test-app';

/**
 * Repeated reads of public cached routes are answered before the framework (see
 * src/cache/hot-reads.ts): the same bytes and headers, logged and counted, limited alike.
 */
describe('Hot reads', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;

  const createProduct = async (sku: string) =>
    (
      await t.http
        .post('/v1/products')
        .set('Authorization', admin)
        .send({ sku, name: `Hot ${sku}`, price: 1500, stock: 5 })
        .expect(201)
    ).body as { id: number };

  /** Counts the requests that reach the cache interceptor, i.e. went through the framework. */
  const countFrameworkReads = (app: TestApp) => jest.spyOn(app.app.get(CacheInterceptor), 'intercept');

  /** Headers that differ from answer to answer whoever answers. */
  const stable = (headers: Record<string, string>) => {
    const { date: _date, 'x-request-id': _id, ...rest } = headers;
    return rest;
  };

  beforeAll(async () => ({ world, t, admin } = await openSuite()));
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => closeSuite({ world, t }));

  it('answers a repeat without the framework, with the same body and headers', async () => {
    const product = await createProduct('HOT-1');
    const framework = countFrameworkReads(t);
    const first = await t.http.get(`/v1/products/${product.id}`).expect(200);
    const repeat = await t.http.get(`/v1/products/${product.id}`).expect(200);
    expect(framework).toHaveBeenCalledTimes(1);
    expect(repeat.text).toBe(first.text);
    expect(stable(repeat.headers)).toEqual(stable(first.headers));
    expect(repeat.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(repeat.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('answers a repeated list page the same way, whatever the order of its query', async () => {
    const framework = countFrameworkReads(t);
    const first = await t.http.get('/v1/products?pageSize=5&page=1').expect(200);
    const repeat = await t.http.get('/v1/products?page=1&pageSize=5').expect(200);
    expect(framework).toHaveBeenCalledTimes(1);
    expect(repeat.body).toEqual(first.body);
  });

  it('sends a request with a token, or one the framework never accepted, through the framework', async () => {
    const product = await createProduct('HOT-2');
    const customer = await newCustomer(t.http);
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    const framework = countFrameworkReads(t);
    await t.http.get(`/v1/products/${product.id}`).set('Authorization', customer.auth).expect(200);
    await t.http.get('/v1/products?page=1&bogus=1').expect(400);
    await t.http.get('/v1/products?page=1&bogus=1').expect(400);
    // Validation runs inside the interceptor's call: each of the three reached it.
    expect(framework).toHaveBeenCalledTimes(3);
  });

  it('shares one cache entry with the cart: a product read over HTTP can be added at once', async () => {
    const product = await createProduct('HOT-3');
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    const customer = await newCustomer(t.http);
    await t.http
      .post('/v1/cart/items')
      .set('Authorization', customer.auth)
      .send({ productId: product.id, quantity: 2 })
      .expect(200);
  });

  it('shows a write at once', async () => {
    const product = await createProduct('HOT-4');
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    await t.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send({ price: 999 }).expect(200);
    const after = await t.http.get(`/v1/products/${product.id}`).expect(200);
    expect(after.body.price).toBe(999);
  });

  it('counts and logs what it answers as the framework does', async () => {
    const product = await createProduct('HOT-5');
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    const framework = countFrameworkReads(t);
    const before = await routeCount(t, 'GET', '/v1/products/:id');
    for (let i = 0; i < 3; i++) {
      await t.http.get(`/v1/products/${product.id}`).expect(200);
    }
    expect(framework).not.toHaveBeenCalled();
    expect(await routeCount(t, 'GET', '/v1/products/:id')).toBe(before + 3);
  });

  describe('with a rate limit', () => {
    let limited: TestApp;

    beforeAll(async () => {
      limited = await startApp(world, { RATE_LIMIT_PER_MINUTE: '4' });
    });
    afterAll(() => limited.close());

    it('counts answered repeats against the budget and refuses past it', async () => {
      // A list page: this app may have a database of its own (embedded), without our products.
      const framework = countFrameworkReads(limited);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await limited.http.get('/v1/products?pageSize=3');
        statuses.push(res.status);
        if (res.status === 200) {
          expect(res.headers['ratelimit-remaining']).toBe(String(4 - (i + 1)));
        } else {
          expect(res.body.code).toBe('RATE_LIMITED');
          expect(res.headers['retry-after']).toBeDefined();
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      // Refusals stop at the guard, before the interceptor: of the four reads, only the
      // first must have reached it (more only if L1's 100 ms ran out in between).
      expect(framework.mock.calls.length).toBeLessThan(4);
    });
  });
});

async function routeCount(t: TestApp, method: string, route: string): Promise<number> {
  const metrics = (await t.http.get('/metrics').expect(200)).text;
  const line = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith('http_request_duration_seconds_count{') &&
        l.includes(`method="${method}"`) &&
        l.includes(`route="${route}"`) &&
        l.includes('status_code="200"'),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}
