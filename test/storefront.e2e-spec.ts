import { ProductEntity } from '../src/products/product.entity';
import { Views } from '../src/storefront/views';
import { setCookiesOf, ShopSession, shopCustomer } from './support/shop-session';
import { closeSuite, openSuite, TestApp, TestWorld } from './support/test-app';

const XSS_NAME = '<img src=x onerror=alert(1)>';

describe('Storefront pages', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;
  let skuCounter = 0;

  async function createProduct(fields: Record<string, unknown> = {}) {
    const res = await t.http
      .post('/v1/products')
      .set('Authorization', admin)
      .send({ sku: `SHOP-${++skuCounter}`, name: `商品 ${skuCounter}`, price: 19900, stock: 50, ...fields })
      .expect(201);
    return res.body as { id: number; name: string; price: number };
  }

  const orderCount = async () =>
    Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM orders`))[0].n as number);

  beforeAll(async () => {
    ({ world, t, admin } = await openSuite({ TRUST_PROXY: 'loopback' }));
  });
  afterAll(() => closeSuite({ world, t }));

  describe('catalog and product pages', () => {
    it('renders the catalog as HTML with prices from minor units, a CSP without unsafe-inline and a CSRF cookie', async () => {
      await createProduct({ name: '无线耳机 Catalog', price: 19900 });
      const res = await new ShopSession(t.http).get('/?q=Catalog');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('无线耳机 Catalog');
      expect(res.text).toContain('¥199.00');
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const [csrf] = setCookiesOf(res).filter((line) => line.startsWith('mall_csrf='));
      expect(csrf).toMatch(/; HttpOnly/);
      expect(csrf).toMatch(/; SameSite=Lax/);
      expect(csrf).toMatch(/; Path=\//);
      expect(csrf).not.toMatch(/Secure/);
    });

    it('takes the parameters of GET /v1/products and refuses what it refuses, as an HTML page with the request id', async () => {
      const cheap = await createProduct({ name: 'Filter cheap', price: 500 });
      await createProduct({ name: 'Filter dear', price: 90000 });
      const filtered = await new ShopSession(t.http).get('/?q=Filter&minPrice=&maxPrice=1000&sort=price:asc');
      expect(filtered.status).toBe(200);
      expect(filtered.text).toContain(`/products/${cheap.id}`);
      expect(filtered.text).not.toContain('Filter dear');

      for (const query of ['pageSize=101', 'sort=cheapest', 'minPrice=-1', 'colour=red']) {
        const api = await t.http.get(`/v1/products?${query}`);
        const res = await t.http.get(`/?${query}`).set('X-Request-Id', `bad-query-${query.length}`);
        expect({ query, page: res.status, api: api.status }).toEqual({ query, page: 400, api: 400 });
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.text).toContain('VALIDATION_FAILED');
        expect(res.text).toContain(`bad-query-${query.length}`);
      }
    });

    it('pages through the results', async () => {
      for (let i = 0; i < 3; i++) {
        await createProduct({ name: `Paged ${i}` });
      }
      const first = await t.http.get('/?q=Paged&pageSize=2').expect(200);
      expect(first.text).toContain('Page 1 of 2');
      expect(first.text).toContain('href="/?page=2&amp;pageSize=2&amp;q=Paged"');
      const second = await t.http.get('/?q=Paged&pageSize=2&page=2').expect(200);
      expect(second.text).toContain('Page 2 of 2');
    });

    it('shows product names and descriptions with markup as text', async () => {
      const product = await createProduct({ name: XSS_NAME, description: '<script>alert(2)</script>' });
      const page = await t.http.get(`/products/${product.id}`).expect(200);
      expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(page.text).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
      expect(page.text).not.toContain(XSS_NAME);
      expect(page.text).not.toContain('<script');
      const catalog = await t.http.get(`/?q=${encodeURIComponent('<img')}`).expect(200);
      expect(catalog.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(catalog.text).not.toContain(XSS_NAME);
    });

    it('reads the product page through the same cache as GET /v1/products/:id', async () => {
      const product = await createProduct({ name: 'Cached name' });
      await t.http.get(`/products/${product.id}`).expect(200);
      // Behind the service's back: only a reader of the cache still sees the old name.
      await t.dataSource.getRepository(ProductEntity).update({ id: product.id }, { name: 'Changed in the database' });
      expect((await t.http.get(`/products/${product.id}`).expect(200)).text).toContain('Cached name');
      expect((await t.http.get(`/v1/products/${product.id}`).expect(200)).body.name).toBe('Cached name');
      // A write through the API drops the entry for both.
      await t.http
        .patch(`/v1/products/${product.id}`)
        .set('Authorization', admin)
        .send({ name: 'Renamed' })
        .expect(200);
      expect((await t.http.get(`/products/${product.id}`).expect(200)).text).toContain('Renamed');
    });

    it('answers an unknown or inactive product with a 404 page and a bad id with a 400 page; the API keeps its JSON', async () => {
      const hidden = await createProduct({ status: 'inactive' });
      for (const [path, status, code] of [
        ['/products/999999', 404, 'PRODUCT_NOT_FOUND'],
        [`/products/${hidden.id}`, 404, 'PRODUCT_NOT_FOUND'],
        ['/products/abc', 400, 'INVALID_PARAMETER'],
      ] as const) {
        const res = await t.http.get(path);
        expect({ path, status: res.status }).toEqual({ path, status });
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.text).toContain(code);
        expect(res.text).toContain(res.headers['x-request-id'] as string);
      }
      const api = await t.http.get('/v1/products/999999').expect(404);
      expect(api.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(api.body).toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
    });

    it('serves its style sheet under a content-hashed name with a long cache lifetime', async () => {
      const page = await t.http.get('/').expect(200);
      const [, href] = /<link rel="stylesheet" href="([^"]+)">/.exec(page.text)!;
      expect(href).toMatch(/^\/assets\/shop\.[0-9a-f]{12}\.css$/);
      const css = await t.http.get(href).expect(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(css.text).toMatch(/^\/\* The storefront's only style sheet/);
      expect(css.text).toContain('.products {');
      await t.http.get('/assets/shop.000000000000.css').expect(404);
    });
  });

  describe('sessions', () => {
    it('registers into an HttpOnly, SameSite=Lax session cookie and redirects after the post', async () => {
      const session = new ShopSession(t.http);
      await session.get('/register');
      const res = await session.post('/register', {
        email: 'cookie@mall.test',
        password: 'cookie-password-1',
        name: '',
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
      const [cookie] = setCookiesOf(res).filter((line) => line.startsWith('mall_session='));
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).toMatch(/; Max-Age=\d+/);
      expect(cookie).not.toMatch(/Secure/);
      const me = await t.http.get('/v1/auth/me').set('Authorization', session.bearer()).expect(200);
      expect(me.body).toMatchObject({ email: 'cookie@mall.test', name: null });
    });

    it('marks the cookies Secure when a trusted proxy says the browser came over HTTPS', async () => {
      const page = await t.http.get('/login').set('X-Forwarded-Proto', 'https').expect(200);
      const csrf = /name="_csrf" value="([^"]*)"/.exec(page.text)![1];
      const cookie = setCookiesOf(page)[0].split(';')[0];
      const customer = await shopCustomer(t.http);
      const res = await t.http
        .post('/login')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', cookie)
        .type('form')
        .send({ _csrf: csrf, email: customer.email, password: customer.password })
        .expect(303);
      expect(setCookiesOf(page)[0]).toMatch(/; Secure/);
      expect(setCookiesOf(res).find((line) => line.startsWith('mall_session='))).toMatch(/; Secure/);
    });

    it('logs in back to the page that asked for it, and re-renders the form on wrong credentials', async () => {
      const customer = await shopCustomer(t.http);
      const session = new ShopSession(t.http);
      const cart = await session.get('/cart');
      expect(cart.status).toBe(303);
      expect(cart.headers.location).toBe('/login?next=%2Fcart');
      await session.get('/login?next=%2Fcart');
      const wrong = await session.post('/login?next=%2Fcart', { email: customer.email, password: 'not-the-password' });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('<form method="post" action="/login?next=%2Fcart"');
      expect(wrong.text).toContain(customer.email);
      const right = await session.post('/login?next=%2Fcart', { email: customer.email, password: customer.password });
      expect(right.status).toBe(303);
      expect(right.headers.location).toBe('/cart');
      expect((await session.get('/cart')).status).toBe(200);
      // Only a path on this site is a place to go back to.
      await session.get('/login');
      const away = await session.post('/login?next=%2F%2Fevil.example', {
        email: customer.email,
        password: customer.password,
      });
      expect(away.headers.location).toBe('/');
    });

    it('sends a login back only to a path on this site, and answers every next with a 303, never a 500', async () => {
      const customer = await shopCustomer(t.http);
      // The query as sent, and where the login may go: '/' unless it names a path of ours.
      const cases: Array<[query: string, location: string]> = [
        ['%2F%09%2Fevil.example%2Fphish', '/'],
        ['%2F%09%5Cevil.example', '/'],
        ['%09%2F%2Fevil.example', '/'],
        ['%2F%5Cevil.example', '/'],
        ['%2F%2509%2Fevil.example', '/'],
        ['%2F.%2F%2Fevil.example', '/'],
        ['https%3A%2F%2Fevil.example', '/'],
        ['javascript%3Aalert(1)', '/'],
        ['%2F%0A%2Fevil', '/'],
        ['%2F%0D%0A%2Fevil', '/'],
        ['%2F%0D%0ASet-Cookie%3A%20x%3D1', '/'],
        ['%E4%B8%AD', '/'],
        ['%2F%E4%B8%AD', '/%E4%B8%AD'],
        ['%2Fcart%3Fx%3D%E4%B8%AD', '/cart?x=%E4%B8%AD'],
      ];
      for (const [query, location] of cases) {
        const form = await customer.get(`/login?next=${query}`);
        expect(form.status).toBe(200);
        expect(form.text).toContain(`action="/login?next=${encodeURIComponent(location)}"`);
        const res = await customer.post(`/login?next=${query}`, { email: customer.email, password: customer.password });
        expect({ query, status: res.status, location: res.headers.location }).toEqual({ query, status: 303, location });
      }
      // A signed-out visitor sent to log in: the way back is the same kind of path.
      const visitor = new ShopSession(t.http);
      for (const [target, location] of [
        ['/cart?x=%0D%0ASet-Cookie:%20x=1', '/login?next=%2F'],
        ['/cart?x=%E4%B8%AD', '/login?next=%2Fcart%3Fx%3D%25E4%25B8%25AD'],
      ]) {
        const res = await visitor.get(target);
        expect({ target, status: res.status, location: res.headers.location }).toEqual({ target, status: 303, location });
      }
    });

    it('takes the session cookie on the storefront only: the JSON API stays bearer-only', async () => {
      const customer = await shopCustomer(t.http);
      await t.http.get('/cart').set('Cookie', customer.cookieHeader()).expect(200);
      const api = await t.http.get('/v1/cart').set('Cookie', customer.cookieHeader()).expect(401);
      expect(api.body.code).toBe('UNAUTHENTICATED');
      await t.http.get('/v1/cart').set('Authorization', customer.bearer()).expect(200);
    });

    it('logs out by revoking the token, as the API does, and clearing the cookie', async () => {
      const customer = await shopCustomer(t.http);
      const token = customer.bearer();
      await customer.get('/');
      const res = await customer.post('/logout');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
      expect(setCookiesOf(res).find((line) => line.startsWith('mall_session='))).toMatch(/^mall_session=; Max-Age=0/);
      const me = await t.http.get('/v1/auth/me').set('Authorization', token).expect(401);
      expect(me.body.message).toBe('The token has been revoked');
      // The old cookie no longer signs anyone in.
      const cart = await t.http.get('/cart').set('Cookie', `mall_session=${token.slice('Bearer '.length)}`);
      expect(cart.status).toBe(303);
    });
  });

  describe('CSRF', () => {
    it('refuses a form post without the token, with a wrong one, or without the CSRF cookie', async () => {
      const customer = await shopCustomer(t.http);
      const product = await createProduct();
      await customer.get(`/products/${product.id}`);
      const fields = { productId: product.id, quantity: 1 };

      const missing = await t.http
        .post('/cart/items')
        .set('Cookie', customer.cookieHeader())
        .type('form')
        .send(fields)
        .expect(403);
      expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(missing.text).toContain('CSRF_TOKEN_INVALID');
      expect(missing.text).toContain(missing.headers['x-request-id'] as string);
      expect((await customer.post('/cart/items', { ...fields, _csrf: `${customer.csrf.slice(0, -2)}xx` })).status).toBe(
        403,
      );
      const withoutCookie = await t.http
        .post('/cart/items')
        .set('Cookie', `mall_session=${customer.cookies.get('mall_session')}`)
        .type('form')
        .send({ ...fields, _csrf: customer.csrf })
        .expect(403);
      expect(withoutCookie.text).toContain('CSRF_TOKEN_INVALID');
      const cart = await t.http.get('/v1/cart').set('Authorization', customer.bearer()).expect(200);
      expect(cart.body.items).toEqual([]);
      // The same post with the page's token goes through.
      expect((await customer.post('/cart/items', fields)).status).toBe(303);
    });

    it('ties the token to the session: a form rendered before logging in is refused after it', async () => {
      const customer = await shopCustomer(t.http);
      const session = new ShopSession(t.http);
      await session.get('/login');
      const anonymousToken = session.csrf;
      await session.post('/login', { email: customer.email, password: customer.password });
      const product = await createProduct();
      const res = await session.post('/cart/items', { productId: product.id, quantity: 1, _csrf: anonymousToken });
      expect(res.status).toBe(403);
    });

    it('refuses a login form without the token as well', async () => {
      const customer = await shopCustomer(t.http);
      const session = new ShopSession(t.http);
      await session.get('/login');
      const res = await session.post('/login', { email: customer.email, password: customer.password, _csrf: '' });
      expect(res.status).toBe(403);
      expect(setCookiesOf(res).some((line) => line.startsWith('mall_session='))).toBe(false);
    });
  });

  describe('cart and checkout', () => {
    it('adds, changes and removes lines with redirects after each post, then checks the whole cart out', async () => {
      const customer = await shopCustomer(t.http);
      const kettle = await createProduct({ name: '电水壶', price: 12900 });
      const cable = await createProduct({ name: 'Cable', price: 3900 });
      await customer.get(`/products/${kettle.id}`);

      for (const [path, fields] of [
        ['/cart/items', { productId: kettle.id, quantity: 2 }],
        ['/cart/items', { productId: cable.id, quantity: 1 }],
        [`/cart/items/${kettle.id}`, { quantity: 3 }],
        [`/cart/items/${cable.id}/remove`, {}],
      ] as const) {
        const res = await customer.post(path, fields);
        expect({ path, status: res.status, location: res.headers.location }).toEqual({
          path,
          status: 303,
          location: '/cart',
        });
      }
      const cart = await customer.get('/cart');
      expect(cart.status).toBe(200);
      expect(cart.text).toContain('电水壶');
      expect(cart.text).not.toContain('>Cable<');
      expect(cart.text).toContain('¥387.00');

      const key = /name="idempotencyKey" value="([0-9a-f-]{36})"/.exec(cart.text)![1];
      const before = await orderCount();
      const placed = await customer.post('/checkout', { idempotencyKey: key });
      expect(placed.status).toBe(303);
      expect(placed.headers.location).toMatch(/^\/orders\/\d+$/);
      // The same form again (a reload, a back-and-resubmit) is the same order.
      const again = await customer.post('/checkout', { idempotencyKey: key });
      expect(again.status).toBe(303);
      expect(again.headers.location).toBe(placed.headers.location);
      expect(await orderCount()).toBe(before + 1);

      const order = await customer.get(placed.headers.location as string);
      expect(order.status).toBe(200);
      expect(order.text).toContain('Awaiting payment');
      expect(order.text).toContain('Order placed');
      expect(order.text).toContain('¥387.00');
      const list = await customer.get('/orders');
      expect(list.text).toContain(`href="${placed.headers.location as string}"`);
      expect((await customer.get('/cart')).text).toContain('Your cart is empty');
    });

    it('answers a failed form post with its error page: an empty cart, a bad quantity, too little stock', async () => {
      const customer = await shopCustomer(t.http);
      const scarce = await createProduct({ stock: 1 });
      await customer.get('/cart');
      const empty = await customer.post('/checkout', { idempotencyKey: 'empty-cart-key' });
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('EMPTY_CART');
      const bad = await customer.post('/cart/items', { productId: scarce.id, quantity: 'two' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('VALIDATION_FAILED');
      const tooMany = await customer.post('/cart/items', { productId: scarce.id, quantity: 2 });
      expect(tooMany.status).toBe(409);
      expect(tooMany.text).toContain('INSUFFICIENT_STOCK');
    });

    it('shows a customer only their own orders', async () => {
      const owner = await shopCustomer(t.http);
      const product = await createProduct();
      await owner.get('/cart');
      await owner.post('/cart/items', { productId: product.id, quantity: 1 });
      const cart = await owner.get('/cart');
      const key = /name="idempotencyKey" value="([^"]+)"/.exec(cart.text)![1];
      const placed = await owner.post('/checkout', { idempotencyKey: key });
      const other = await shopCustomer(t.http);
      const res = await other.get(placed.headers.location as string);
      expect(res.status).toBe(404);
      expect(res.text).toContain('ORDER_NOT_FOUND');
    });

    it('takes form bodies only: JSON posted to a page is a 415, and forms posted to the API stay a 415', async () => {
      const customer = await shopCustomer(t.http);
      await t.http
        .post('/cart/items')
        .set('Cookie', customer.cookieHeader())
        .send({ productId: 1, quantity: 1, _csrf: customer.csrf })
        .expect(415);
      await t.http
        .post('/v1/cart/items')
        .set('Authorization', customer.bearer())
        .type('form')
        .send('productId=1')
        .expect(415);
    });
  });

  it('leaves the pages out of the OpenAPI document: they are not part of the API', async () => {
    const { body: doc } = await t.http.get('/docs-json').expect(200);
    const paths = Object.keys(doc.paths as Record<string, unknown>);
    expect(paths).toContain('/v1/products');
    expect(
      paths.filter((path) => !path.startsWith('/v1/') && !path.startsWith('/health') && path !== '/metrics'),
    ).toEqual([]);
  });

  it('compiled every template once, at start-up, and none while serving', async () => {
    const views = t.app.get(Views);
    const atStart = views.compilations;
    expect(atStart).toBeGreaterThanOrEqual(10);
    const customer = await shopCustomer(t.http);
    const product = await createProduct();
    for (const path of [
      '/',
      `/products/${product.id}`,
      '/cart',
      '/orders',
      '/login',
      '/register',
      '/products/999999',
    ]) {
      await customer.get(path);
    }
    await customer.post('/cart/items', { productId: product.id, quantity: 1 });
    expect(views.compilations).toBe(atStart);
  });
});
