import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { CacheInterceptor } from '../src/cache/cache.interceptor';
import { ShopGuard } from '../src/storefront/shop.guard';
import { setCookiesOf, ShopSession } from './support/shop-session';
import { closeSuite, newCustomer, openSuite, startApp, TestApp, TestWorld } from './support/test-app';

/**
 * Anonymous repeats of public cached reads are answered by the response cache in front
 * of the framework (src/cache/response-cache.ts) with the pipeline's own stored answer,
 * stored from a target's second pass through the pipeline on.
 *
 * L1 lives ~100 ms; a loaded machine could let it lapse between two requests and turn a
 * hit into a miss. So the tests that count hold the clock still (only `Date` is faked:
 * sockets and timers run as usual), and L1 cannot expire while they look.
 */
describe('Response cache', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;

  const createProduct = async (sku: string, fields: Record<string, unknown> = {}) =>
    (
      await t.http
        .post('/v1/products')
        .set('Authorization', admin)
        .send({ sku, name: `Hot ${sku}`, price: 1500, stock: 5, ...fields })
        .expect(201)
    ).body as { id: number };

  /** Counts the requests that reach the cache interceptor, i.e. went through the framework. */
  const countFrameworkReads = (app: TestApp) => jest.spyOn(app.app.get(CacheInterceptor), 'intercept');

  /** Counts the SQL statements that read products, whoever sends them. */
  const countProductQueries = (app: TestApp) => {
    const runner = app.app.get(DataSource).createQueryRunner();
    const prototype = Object.getPrototypeOf(runner) as { query: (sql: string) => Promise<unknown> };
    void runner.release();
    const spy = jest.spyOn(prototype, 'query');
    return () => spy.mock.calls.filter(([sql]) => /\bproducts\b/.test(String(sql))).length;
  };

  /** What two answers to the same request must share, whoever answered: all but the per-answer parts. */
  const comparable = (res: Response) => {
    const {
      date: _date,
      'x-request-id': _id,
      'ratelimit-remaining': _remaining,
      'ratelimit-reset': _reset,
      ...headers
    } = res.headers as Record<string, string>;
    const body = res.headers['content-type']?.startsWith('application/json')
      ? { ...(JSON.parse(res.text) as Record<string, unknown>), requestId: undefined }
      : res.text;
    return { status: res.status, headers, body };
  };

  beforeAll(async () => ({ world, t, admin } = await openSuite()));
  // Every clock jest can fake but `Date`: timers, ticks and sockets keep real time.
  beforeEach(() =>
    jest.useFakeTimers({
      now: Date.now(),
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    }),
  );
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });
  afterAll(() => closeSuite({ world, t }));

  it('answers a repeat without the framework or the database, with the same bytes and headers', async () => {
    const product = await createProduct('HOT-1');
    const first = await t.http.get(`/v1/products/${product.id}`).expect(200);
    await t.http.get(`/v1/products/${product.id}`).expect(200); // the second pass stores it
    const framework = countFrameworkReads(t);
    const queries = countProductQueries(t);
    const repeats = [];
    for (let i = 0; i < 5; i++) {
      repeats.push(await t.http.get(`/v1/products/${product.id}`).expect(200));
    }
    expect(framework).not.toHaveBeenCalled();
    expect(queries()).toBe(0);
    for (const repeat of repeats) {
      expect(repeat.text).toBe(first.text);
      expect(comparable(repeat)).toEqual(comparable(first));
      expect(repeat.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
      expect(repeat.headers['content-security-policy']).toContain("default-src 'none'");
    }
  });

  it('answers every public read exactly as the pipeline does: cached or not, valid or not', async () => {
    const product = await createProduct('HOT-PARITY', { name: '机械键盘 parity' });
    const id = product.id;
    const targets = [
      `/v1/products/${id}`,
      `/v1/products/00${id}`,
      `/v1/products/%3${String(id)[0]}${String(id).slice(1)}`,
      '/v1/products/0x10',
      '/v1/products/1e3',
      '/v1/products/+7',
      '/v1/products/%20' + id,
      '/v1/products/abc',
      '/v1/products/999999',
      '/v1/products/99999999999',
      '/v1/products',
      '/v1/products?page=1&pageSize=5',
      '/v1/products?pageSize=5&page=1',
      '/v1/products?pageSize=05',
      '/v1/products?q=%E6%9C%BA%E6%A2%B0%E9%94%AE%E7%9B%98',
      '/v1/products?q=parity&sort=price:asc',
      '/v1/products?sort=bogus',
      '/v1/products?pageSize=0',
      '/v1/products?status=inactive',
      '/v1/products?page=0x1',
      '/v1/products?minPrice=1e3',
    ];
    for (const target of targets) {
      const framework = countFrameworkReads(t);
      const pipeline = await t.http.get(target);
      await t.http.get(target);
      const repeat = await t.http.get(target);
      const cached = framework.mock.calls.length === 2;
      framework.mockRestore();
      expect({ target, ...comparable(repeat) }).toEqual({ target, ...comparable(pipeline) });
      // Only a 200 is stored; anything the pipeline refused goes the whole way again.
      expect({ target, cached }).toEqual({ target, cached: pipeline.status === 200 });
    }
  });

  it('keeps list pages apart by their exact target: another order of the query is the pipeline again', async () => {
    await t.http.get('/v1/products?pageSize=4&page=1').expect(200);
    await t.http.get('/v1/products?pageSize=4&page=1').expect(200);
    const framework = countFrameworkReads(t);
    const repeat = await t.http.get('/v1/products?pageSize=4&page=1').expect(200);
    const reordered = await t.http.get('/v1/products?page=1&pageSize=4').expect(200);
    expect(framework).toHaveBeenCalledTimes(1);
    expect(reordered.body).toEqual(repeat.body);
  });

  it('stores a target only from its second pass on: a one-off query leaves nothing behind', async () => {
    const framework = countFrameworkReads(t);
    await t.http.get('/v1/products?pageSize=6&page=1').expect(200);
    await t.http.get('/v1/products?pageSize=6&page=1').expect(200);
    expect(framework).toHaveBeenCalledTimes(2);
    await t.http.get('/v1/products?pageSize=6&page=1').expect(200);
    expect(framework).toHaveBeenCalledTimes(2);
  });

  it('sends a request with a token, or one the framework refused, through the framework', async () => {
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

  it('shows a write at once, although the clock has not moved', async () => {
    const product = await createProduct('HOT-4');
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    await t.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send({ price: 999 }).expect(200);
    const after = await t.http.get(`/v1/products/${product.id}`).expect(200);
    expect(after.body.price).toBe(999);
    await t.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send({ status: 'inactive' });
    await t.http.get(`/v1/products/${product.id}`).expect(404);
  });

  it('counts and logs what it answers as the framework does', async () => {
    const product = await createProduct('HOT-5');
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    await t.http.get(`/v1/products/${product.id}`).expect(200);
    const framework = countFrameworkReads(t);
    const before = await routeCount(t, 'GET', '/v1/products/:id');
    for (let i = 0; i < 3; i++) {
      await t.http.get(`/v1/products/${product.id}`).expect(200);
    }
    expect(framework).not.toHaveBeenCalled();
    expect(await routeCount(t, 'GET', '/v1/products/:id')).toBe(before + 3);
  });

  describe('storefront pages', () => {
    /** Counts the page requests that went through the framework (every storefront route runs this guard). */
    const countPageRenders = (app: TestApp) => jest.spyOn(app.app.get(ShopGuard), 'canActivate');
    const tokenOf = (res: Response) => /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
    /** The page with its visitor's token (an anonymous catalog page has no form that needs one) blanked out. */
    const withoutToken = (res: Response) => res.text.split(tokenOf(res) ?? '\0').join('<token>');
    const csrfCookieOf = (res: Response) => setCookiesOf(res).find((line) => line.startsWith('mall_csrf='));

    it('repeats an anonymous product page without the framework, with each visitor its own token and cookie', async () => {
      const product = await createProduct('PAGE-1', { name: '页面 cached page' });
      const first = new ShopSession(t.http);
      const rendered = await first.get(`/products/${product.id}`);
      expect(rendered.status).toBe(200);
      expect(csrfCookieOf(rendered)).toBeDefined();
      await new ShopSession(t.http).get(`/products/${product.id}`); // the second pass stores it
      const renders = countPageRenders(t);
      const queries = countProductQueries(t);

      // A new visitor: the same page, but its own secret (cookie) and the token made from it.
      const newcomer = new ShopSession(t.http);
      const repeat = await newcomer.get(`/products/${product.id}`);
      // A returning visitor: exactly what the pipeline rendered for it, and no new cookie.
      const returning = await first.get(`/products/${product.id}`);
      expect(renders).not.toHaveBeenCalled();
      expect(queries()).toBe(0);

      expect(comparable(repeat).headers).toEqual({
        ...comparable(rendered).headers,
        'set-cookie': [expect.stringMatching(/^mall_csrf=/)],
        'content-length': String(Buffer.byteLength(repeat.text)),
      });
      expect(withoutToken(repeat)).toBe(withoutToken(rendered));
      expect(csrfCookieOf(repeat)).not.toBe(csrfCookieOf(rendered));
      expect(tokenOf(repeat)).not.toBe(tokenOf(rendered));
      expect(returning.text).toBe(rendered.text);
      expect(csrfCookieOf(returning)).toBeUndefined();

      // The newcomer's token is the one the pipeline checks its forms against.
      renders.mockRestore();
      const customer = await newCustomer(t.http);
      const login = await newcomer.post('/login', { email: customer.email, password: customer.password });
      expect(login.status).toBe(303);
      expect(newcomer.cookies.get('mall_session')).toBeDefined();
    });

    it('renders for a signed-in visitor, and shows a write at once', async () => {
      const product = await createProduct('PAGE-2', { price: 1500 });
      await new ShopSession(t.http).get(`/products/${product.id}`);
      const customer = await newCustomer(t.http);
      const signedIn = new ShopSession(t.http);
      await signedIn.get('/login');
      expect((await signedIn.post('/login', { email: customer.email, password: customer.password })).status).toBe(
        303,
      );
      const renders = countPageRenders(t);
      const mine = await signedIn.get(`/products/${product.id}`);
      expect(renders).toHaveBeenCalledTimes(1);
      expect(mine.text).toContain('Log out');

      await t.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send({ price: 999 }).expect(200);
      const after = await new ShopSession(t.http).get(`/products/${product.id}`);
      expect(after.text).toContain('¥9.99');
      expect(renders).toHaveBeenCalledTimes(2);
    });

    it('repeats a catalog page by its exact target, and renders a refused one every time', async () => {
      await createProduct('PAGE-3', { name: 'Catalog cached page' });
      const rendered = await new ShopSession(t.http).get('/?q=cached%20page&page=1');
      await new ShopSession(t.http).get('/?q=cached%20page&page=1');
      const renders = countPageRenders(t);
      const repeat = await new ShopSession(t.http).get('/?q=cached%20page&page=1');
      expect(renders).not.toHaveBeenCalled();
      expect(withoutToken(repeat)).toBe(withoutToken(rendered));
      expect(repeat.text).toContain('Catalog cached page');
      expect(csrfCookieOf(repeat)).toBeDefined();
      await new ShopSession(t.http).get('/?sort=cheapest').then((res) => expect(res.status).toBe(400));
      await new ShopSession(t.http).get('/?sort=cheapest').then((res) => expect(res.status).toBe(400));
      expect(renders).toHaveBeenCalledTimes(2);
    });
  });

  describe('with a rate limit', () => {
    let limited: TestApp;

    beforeAll(async () => {
      limited = await startApp(world, { RATE_LIMIT_PER_MINUTE: '4' });
    });
    afterAll(() => limited.close());

    it('counts answered repeats against the budget once each, and refuses past it', async () => {
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
      // The clock stands still, so the one-minute window cannot roll over halfway.
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      // The first two reads went the whole way (the second stored the answer); the next two were
      // repeats; the refusals stopped at the guard.
      expect(framework).toHaveBeenCalledTimes(2);
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
