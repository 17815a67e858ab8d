import { Client } from 'pg';
import { ProductsService } from '../src/products/products.service';
import { ShopSession } from './support/shop-session';
import { closeSuite, newCustomer, openSuite, startApp, TestApp, TestWorld } from './support/test-app';

const REAL_DATABASE = Boolean(process.env.TEST_DATABASE_URL);

/** Products straight into the test's database, many thousands in one statement. */
async function seedProducts(databaseUrl: string, count: number): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO products (sku, name, description, price, stock, sales, created_at, updated_at)
       SELECT 'LIM-' || g, '商品 ' || g || ' ' || md5(g::text), 'A seeded product', 100 + (g * 7919) % 99900,
              1000, (g * 7919) % 100000, now() - make_interval(secs => g), now()
       FROM generate_series(1, $1::int) AS g`,
      [count],
    );
    await client.query('ANALYZE products');
  } finally {
    await client.end();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('List limits: offset depth, normalised cache keys', () => {
  let world: TestWorld;
  let t: TestApp;
  let customer: string;

  beforeAll(async () => {
    ({ world, t } = await openSuite());
    customer = (await newCustomer(t.http)).auth;
  });
  afterAll(() => closeSuite({ world, t }));

  it('answers an offset page starting at row 10000 or later 400 PAGE_TOO_DEEP, on the API and the storefront', async () => {
    for (const query of ['page=501&pageSize=20', 'page=101&pageSize=100', 'page=1000000&pageSize=1', 'page=10001']) {
      const products = await t.http.get(`/v1/products?${query}`);
      expect({ query, status: products.status, code: products.body.code }).toEqual({
        query,
        status: 400,
        code: 'PAGE_TOO_DEEP',
      });
      expect(products.body.message).toMatch(/narrow the filters/);
      const orders = await t.http.get(`/v1/orders?${query}`).set('Authorization', customer);
      expect({ query, status: orders.status, code: orders.body.code }).toEqual({
        query,
        status: 400,
        code: 'PAGE_TOO_DEEP',
      });
      const page = await new ShopSession(t.http).get(`/?${query}`);
      expect({ query, status: page.status }).toEqual({ query, status: 400 });
      expect(page.text).toContain('PAGE_TOO_DEEP');
    }
    // the last page that starts before row 10000 is served, and a bad pageSize is still its own problem
    await t.http.get('/v1/products?page=500&pageSize=20').expect(200);
    await t.http.get('/v1/products?page=100&pageSize=100').expect(200);
    await t.http.get('/v1/orders?page=500&pageSize=20').set('Authorization', customer).expect(200);
    expect((await new ShopSession(t.http).get('/?page=500&pageSize=20')).status).toBe(200);
    const bad = await t.http.get('/v1/products?page=900&pageSize=abc').expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('loads a query once for all its spellings: leading zeros, parameter order, defaults spelt out', async () => {
    const loads = jest.spyOn(ProductsService.prototype, 'list');
    try {
      const spellings = [
        '/v1/products?q=spell&page=0003&pageSize=7',
        '/v1/products?pageSize=7&q=spell&page=3',
        '/v1/products?page=3&pageSize=007&q=spell&status=active&sort=sales:desc',
      ];
      // All at once, the storefront's catalog among them (it reads the same entry): every
      // miss joins the one load, however long the in-process level keeps its answer.
      const [catalog, ...answers] = await Promise.all([
        new ShopSession(t.http).get('/?q=spell&page=3&pageSize=7'),
        ...spellings.map((path) => t.http.get(path)),
      ]);
      expect(answers.map((res) => res.status)).toEqual([200, 200, 200]);
      expect(new Set(answers.map((res) => res.text)).size).toBe(1);
      expect(catalog.status).toBe(200);
      expect(loads).toHaveBeenCalledTimes(1);
      // a different page size is a different query
      await t.http.get('/v1/products?q=spell&page=3&pageSize=8').expect(200);
      expect(loads).toHaveBeenCalledTimes(2);
    } finally {
      loads.mockRestore();
    }
  });
});

(REAL_DATABASE ? describe : describe.skip)('List limits on a large catalog (real PostgreSQL)', () => {
  const PRODUCTS = 200_000;
  let world: TestWorld;
  let t: TestApp;
  let innocent: string;
  let flooder: string;

  beforeAll(async () => {
    // The contract's default rate limit. One list load at a time per client: what leaves a
    // small database server (a test machine's couple of cores) a core for everyone else
    // while one client keeps its limit busy with the heaviest lists it may ask.
    ({ world, t } = await openSuite({ RATE_LIMIT_PER_MINUTE: '600' }));
    const started = performance.now();
    await seedProducts(world.databaseUrl!, PRODUCTS);
    console.log(`seeded ${PRODUCTS} products in ${Math.round(performance.now() - started)} ms`);
    innocent = (await newCustomer(t.http)).auth;
    flooder = (await newCustomer(t.http)).auth;
  }, 60_000);
  afterAll(() => closeSuite({ world, t }));

  /** A broad list no cache holds: `q=商` matches every product, and `pageSize` makes each query new. */
  let fresh = 0;
  const uncachedList = () => `/v1/products?q=%E5%95%86&sort=price:asc&pageSize=${20 + (++fresh % 80)}`;

  it('refuses a client more uncached list loads at once than LIST_LOADS_PER_CLIENT with 429 and Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.http.get(uncachedList()).set('Authorization', flooder)),
    );
    const refused = answers.filter((res) => res.status === 429);
    expect(answers.filter((res) => res.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThan(0);
    for (const res of refused) {
      expect(res.body.code).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // another client is not refused meanwhile
    await t.http.get(uncachedList()).set('Authorization', innocent).expect(200);
  });

  it("keeps another client's uncached lists within twice their idle latency while one client floods deep and broad lists", async () => {
    // An ordinary shopper's list: a price band, new each time so no cache holds it.
    let band = 0;
    const timedList = async () => {
      const minPrice = 1_000 + (++band % 400) * 200;
      const started = performance.now();
      await t.http
        .get(`/v1/products?minPrice=${minPrice}&maxPrice=${minPrice + 2_000}&sort=price:asc`)
        .set('Authorization', innocent)
        .expect(200);
      const took = performance.now() - started;
      // paced like a person browsing, well within its own rate limit
      await new Promise((resolve) => setTimeout(resolve, 50));
      return took;
    };
    const idle: number[] = [];
    for (let i = 0; i < 25; i++) {
      idle.push(await timedList());
    }
    // 10 requests a second (the rate limit's 600 a minute), each a query no cache holds,
    // as deep as the offset limit allows or past it, without waiting for answers.
    const statuses = new Map<number, number>();
    let sent = 0;
    const floodUntil = performance.now() + 10_000;
    const flood = setInterval(() => {
      const pageSize = 21 + (sent % 79);
      const page = sent % 5 === 0 ? 1_000_000 : Math.ceil(10_000 / pageSize);
      const query =
        sent % 2 === 0 ? `q=a&page=${page}&pageSize=${pageSize}` : `q=%E5%95%86&page=${page}&pageSize=${pageSize}`;
      sent++;
      void t.http
        .get(`/v1/products?${query}`)
        .set('Authorization', flooder)
        .then((res) => statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1));
    }, 100);
    const flooded: number[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      while (performance.now() < floodUntil) {
        flooded.push(await timedList());
      }
    } finally {
      clearInterval(flood);
    }
    const figures = { idle: median(idle), flooded: median(flooded), samples: flooded.length, statuses: [...statuses] };
    console.log(`uncached list medians: ${JSON.stringify(figures)}`);
    // Twice idle, and a few milliseconds besides: medians of tens of milliseconds move by
    // that much with the scheduling of a shared machine alone.
    expect(figures.flooded).toBeLessThanOrEqual(2 * figures.idle + 20);
    // the flood was answered within its rate limit: its refusals are the depth limit's (400), the
    // concurrency limit's (429) and the statement timeout's (503)
    expect([...statuses.keys()].every((status) => [200, 400, 429, 503].includes(status))).toBe(true);
    expect(statuses.get(429)).toBeGreaterThan(0);
  }, 40_000);

  it('answers a list whose statement outlives LIST_STATEMENT_TIMEOUT_MS 503 with Retry-After', async () => {
    const impatient = await startApp(world, { LIST_STATEMENT_TIMEOUT_MS: '1' });
    try {
      const res = await impatient.http.get('/v1/products?q=a&page=400&pageSize=25');
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // the connection is usable afterwards: the timeout was the list's own, not the session's
      await impatient.http.get('/v1/products/1').expect(200);
    } finally {
      await impatient.close();
    }
  });
});
