import { ShopSession, shopCustomer } from './support/shop-session';
import { ADMIN, closeSuite, newCustomer, openSuite, TestApp, TestWorld } from './support/test-app';

/**
 * Unreleased products stay hidden: an inactive product reads 404 to anyone but an admin,
 * and only an admin lists another status than active — also once an admin's read put the
 * answer in the cache that anonymous repeats are served from (src/cache/response-cache.ts).
 */
describe('Product visibility', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;
  let customer: string;

  let skus = 0;
  const createProduct = async (fields: Record<string, unknown> = {}) =>
    (
      await t.http
        .post('/v1/products')
        .set('Authorization', admin)
        .send({ sku: `VIS-${++skus}`, name: `Hidden ${skus}`, price: 700, stock: 5, ...fields })
        .expect(201)
    ).body as { id: number; sku: string };

  /** What anonymous callers and a customer get, three times each: the first fills the cache, repeats hit it. */
  const readsByNonAdmins = async (path: string) => {
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await t.http.get(path));
      answers.push(await t.http.get(path).set('Authorization', customer));
    }
    return answers.map((res) => ({ status: res.status, code: res.body.code as string | undefined }));
  };

  beforeAll(async () => {
    ({ world, t, admin } = await openSuite());
    customer = (await newCustomer(t.http)).auth;
  });
  afterAll(() => closeSuite({ world, t }));

  describe('GET /v1/products/:id', () => {
    it('answers 404 PRODUCT_NOT_FOUND for an inactive product to all but an admin, also after an admin read it', async () => {
      const product = await createProduct({ status: 'inactive' });
      const path = `/v1/products/${product.id}`;
      const seen = await t.http.get(path).set('Authorization', admin).expect(200);
      expect(seen.body).toMatchObject({ id: product.id, status: 'inactive' });
      const answers = await readsByNonAdmins(path);
      expect(answers).toEqual(Array(6).fill({ status: 404, code: 'PRODUCT_NOT_FOUND' }));
      // the same answer as for a product that does not exist
      const hidden = await t.http.get(path).expect(404);
      expect(hidden.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        code: 'PRODUCT_NOT_FOUND',
        message: `Product ${product.id} does not exist`,
        requestId: hidden.headers['x-request-id'],
      });
      // and the admin still sees it, from the same cache entry
      await t.http.get(path).set('Authorization', admin).expect(200);
    });

    it('hides a product made inactive after anonymous reads cached it, and shows it again once active', async () => {
      const product = await createProduct();
      const path = `/v1/products/${product.id}`;
      await t.http.get(path).expect(200);
      await t.http.get(path).expect(200);
      await t.http.patch(path).set('Authorization', admin).send({ status: 'inactive' }).expect(200);
      expect(await readsByNonAdmins(path)).toEqual(Array(6).fill({ status: 404, code: 'PRODUCT_NOT_FOUND' }));
      await t.http.patch(path).set('Authorization', admin).send({ status: 'active' }).expect(200);
      expect((await readsByNonAdmins(path)).map((answer) => answer.status)).toEqual(Array(6).fill(200));
    });

    it('does not show an inactive product the cart looked up (the same cache entry)', async () => {
      const product = await createProduct({ status: 'inactive' });
      const added = await t.http
        .post('/v1/cart/items')
        .set('Authorization', customer)
        .send({ productId: product.id, quantity: 1 })
        .expect(404);
      expect(added.body.code).toBe('PRODUCT_NOT_FOUND');
      expect(await readsByNonAdmins(`/v1/products/${product.id}`)).toEqual(
        Array(6).fill({ status: 404, code: 'PRODUCT_NOT_FOUND' }),
      );
    });
  });

  describe('GET /v1/products?status=', () => {
    it('lists another status than active for an admin only: 403 FORBIDDEN for everyone else, cached or not', async () => {
      const product = await createProduct({ status: 'inactive', name: 'VIS-list-marker' });
      const path = '/v1/products?status=inactive&q=VIS-list-marker';
      const listed = await t.http.get(path).set('Authorization', admin).expect(200);
      expect(listed.body.items.map((p: { id: number }) => p.id)).toEqual([product.id]);
      const answers = await readsByNonAdmins(path);
      expect(answers).toEqual(Array(6).fill({ status: 403, code: 'FORBIDDEN' }));
      // the query in another order names the same cache entry
      await t.http.get('/v1/products?q=VIS-list-marker&status=inactive').expect(403);
    });

    it('answers 400 VALIDATION_FAILED to anyone for a value that is no status', async () => {
      for (const auth of [undefined, customer, admin]) {
        for (const status of ['bogus', 'ACTIVE', '']) {
          const req = t.http.get('/v1/products').query({ status });
          const res = await (auth ? req.set('Authorization', auth) : req).expect(400);
          expect(res.body.code).toBe('VALIDATION_FAILED');
        }
      }
      // status=active and no status are everyone's, and never list an inactive product
      for (const query of [{ status: 'active', q: 'VIS-' }, { q: 'VIS-' }]) {
        const res = await t.http.get('/v1/products').query(query).expect(200);
        expect(res.body.items.every((p: { status: string }) => p.status === 'active')).toBe(true);
      }
    });
  });

  describe('cart and checkout', () => {
    it('refuse an inactive product with 404 PRODUCT_NOT_FOUND, also after an admin read it', async () => {
      const product = await createProduct({ status: 'inactive' });
      await t.http.get(`/v1/products/${product.id}`).set('Authorization', admin).expect(200);
      const line = { productId: product.id, quantity: 1 };
      const added = await t.http.post('/v1/cart/items').set('Authorization', customer).send(line).expect(404);
      expect(added.body.code).toBe('PRODUCT_NOT_FOUND');
      const set = await t.http
        .put(`/v1/cart/items/${product.id}`)
        .set('Authorization', customer)
        .send({ quantity: 1 })
        .expect(404);
      expect(set.body.code).toBe('PRODUCT_NOT_FOUND');
      const ordered = await t.http
        .post('/v1/orders')
        .set('Authorization', customer)
        .send({ items: [line] })
        .expect(404);
      expect(ordered.body.code).toBe('PRODUCT_NOT_FOUND');
    });
  });

  describe('storefront pages (the same rule as the API)', () => {
    /** Anonymous visitors (a new one, and one coming back) and a signed-in customer, three rounds: repeats meet the response cache. */
    const pagesForNonAdmins = async (path: string) => {
      const returning = new ShopSession(t.http);
      const shopper = await shopCustomer(t.http);
      const answers = [];
      for (let i = 0; i < 3; i++) {
        for (const visitor of [new ShopSession(t.http), returning, shopper]) {
          answers.push(await visitor.get(path));
        }
      }
      return answers;
    };

    const shopAdmin = async () => {
      const session = new ShopSession(t.http);
      await session.get('/login');
      expect((await session.post('/login', { email: ADMIN.email, password: ADMIN.password })).status).toBe(303);
      return session;
    };

    it('refuses a catalog of inactive products to all but an admin, as the API does, also on repeats', async () => {
      const product = await createProduct({ status: 'inactive', name: 'VIS-shop-marker', price: 12345 });
      for (const path of ['/?status=inactive', '/?status=inactive&q=VIS-shop-marker']) {
        const api = await t.http.get(`/v1${path.replace('/?', '/products?')}`);
        expect(api.status).toBe(403);
        for (const res of await pagesForNonAdmins(path)) {
          expect({ path, status: res.status }).toEqual({ path, status: api.status });
          expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
          expect(res.text).toContain('FORBIDDEN');
          expect(res.text).not.toContain('VIS-shop-marker');
          expect(res.text).not.toContain(`/products/${product.id}`);
        }
      }
      // the admin's page lists it, and an anonymous repeat afterwards is still refused
      const admin = await shopAdmin();
      const listed = await admin.get('/?status=inactive&q=VIS-shop-marker');
      expect(listed.status).toBe(200);
      expect(listed.text).toContain('VIS-shop-marker');
      expect((await new ShopSession(t.http).get('/?status=inactive&q=VIS-shop-marker')).status).toBe(403);
    });

    it("answers an inactive product's page 404 to all but an admin, also after an admin saw it", async () => {
      const product = await createProduct({ status: 'inactive', name: 'VIS-page-marker' });
      const path = `/products/${product.id}`;
      const seen = await (await shopAdmin()).get(path);
      expect(seen.status).toBe(200);
      expect(seen.text).toContain('VIS-page-marker');
      for (const res of await pagesForNonAdmins(path)) {
        expect(res.status).toBe(404);
        expect(res.text).toContain('PRODUCT_NOT_FOUND');
        expect(res.text).not.toContain('VIS-page-marker');
      }
    });
  });
});
