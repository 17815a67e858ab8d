import { closeSuite, newCustomer, openSuite, TestApp, TestWorld } from './support/test-app';

describe('Products', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;

  const create = (body: Record<string, unknown>) =>
    t.http
      .post('/v1/products')
      .set('Authorization', admin)
      .send({ stock: 10, ...body });

  beforeAll(async () => ({ world, t, admin } = await openSuite()));
  afterAll(() => closeSuite({ world, t }));

  describe('create', () => {
    it('creates a product with 201 and a Location header', async () => {
      const res = await create({ sku: 'P-1', name: 'Kettle', price: 12900, description: 'Boils' }).expect(201);
      expect(res.headers.location).toBe(`/v1/products/${res.body.id}`);
      expect(res.body).toEqual({
        id: expect.any(Number),
        sku: 'P-1',
        name: 'Kettle',
        description: 'Boils',
        price: 12900,
        stock: 10,
        sales: 0,
        status: 'active',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: expect.any(String),
      });
      const read = await t.http.get(res.headers.location).expect(200);
      expect(read.body).toEqual(res.body);
    });

    it('answers 409 SKU_TAKEN for a duplicate sku', async () => {
      await create({ sku: 'P-DUP', name: 'A', price: 1 }).expect(201);
      const res = await create({ sku: 'P-DUP', name: 'B', price: 2 }).expect(409);
      expect(res.body.code).toBe('SKU_TAKEN');
    });

    it.each([
      [{ sku: '', name: 'x', price: 1 }, 'sku'],
      [{ sku: 's'.repeat(65), name: 'x', price: 1 }, 'sku'],
      [{ sku: 'ok', name: '', price: 1 }, 'name'],
      [{ sku: 'ok', name: 'x', price: -1 }, 'price'],
      [{ sku: 'ok', name: 'x', price: 9.99 }, 'price'],
      [{ sku: 'ok', name: 'x', price: '100' }, 'price'],
      [{ sku: 'ok', name: 'x', price: 1, stock: -5 }, 'stock'],
      [{ sku: 'ok', name: 'x', price: 1, status: 'gone' }, 'status'],
      [{ sku: 'ok', name: 'x', price: 1, sales: 5 }, 'sales'],
    ])('answers 400 VALIDATION_FAILED for %j', async (body, field) => {
      const res = await create(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('needs a token (401) and the admin role (403)', async () => {
      await t.http.post('/v1/products').send({ sku: 'x', name: 'x', price: 1, stock: 1 }).expect(401);
      const customer = await newCustomer(t.http);
      const res = await t.http
        .post('/v1/products')
        .set('Authorization', customer.auth)
        .send({ sku: 'x', name: 'x', price: 1, stock: 1 })
        .expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
    });
  });

  describe('read, update, delete', () => {
    it('answers 404 PRODUCT_NOT_FOUND and 400 for a non-integer id', async () => {
      const missing = await t.http.get('/v1/products/987654').expect(404);
      expect(missing.body.code).toBe('PRODUCT_NOT_FOUND');
      for (const bad of ['abc', '1.5', '-3', '0', '99999999999']) {
        const res = await t.http.get(`/v1/products/${bad}`).expect(400);
        expect(res.body.code).toBe('INVALID_PARAMETER');
      }
    });

    it('updates only the fields sent', async () => {
      const { body: product } = await create({ sku: 'P-PATCH', name: 'Old', price: 500 }).expect(201);
      const res = await t.http
        .patch(`/v1/products/${product.id}`)
        .set('Authorization', admin)
        .send({ price: 450, status: 'inactive' })
        .expect(200);
      expect(res.body).toMatchObject({ id: product.id, sku: 'P-PATCH', name: 'Old', price: 450, status: 'inactive' });
      await t.http.patch('/v1/products/987654').set('Authorization', admin).send({ price: 1 }).expect(404);
      await t.http.patch(`/v1/products/${product.id}`).set('Authorization', admin).send({ price: -1 }).expect(400);
    });

    it('answers 409 SKU_TAKEN when a patch takes another product sku', async () => {
      await create({ sku: 'P-TAKEN', name: 'A', price: 1 }).expect(201);
      const { body } = await create({ sku: 'P-FREE', name: 'B', price: 1 }).expect(201);
      const res = await t.http
        .patch(`/v1/products/${body.id}`)
        .set('Authorization', admin)
        .send({ sku: 'P-TAKEN' })
        .expect(409);
      expect(res.body.code).toBe('SKU_TAKEN');
    });

    it('deletes with 204; afterwards reads answer 404 and the sku is free again', async () => {
      const { body } = await create({ sku: 'P-DEL', name: 'Doomed', price: 1 }).expect(201);
      await t.http.get(`/v1/products/${body.id}`).expect(200);
      await t.http.delete(`/v1/products/${body.id}`).set('Authorization', admin).expect(204);
      await t.http.get(`/v1/products/${body.id}`).expect(404);
      await t.http.delete(`/v1/products/${body.id}`).set('Authorization', admin).expect(404);
      await create({ sku: 'P-DEL', name: 'Reborn', price: 1 }).expect(201);
      const [row] = await t.dataSource.query(`SELECT deleted_at FROM products WHERE id = $1`, [body.id]);
      expect(row.deleted_at).not.toBeNull();
    });
  });

  describe('list', () => {
    const names = ['Alpha Lamp', 'beta lamp', 'Gamma Desk', 'Delta LAMP', 'Epsilon Chair'];

    beforeAll(async () => {
      // A catalog of its own: every list test filters on the "L-" name marker below.
      for (const [index, name] of names.entries()) {
        await create({ sku: `L-${index}`, name: `L-${name}`, price: (index + 1) * 1000, stock: 5 }).expect(201);
      }
      await t.dataSource.query(
        `UPDATE products SET sales = CASE sku WHEN 'L-0' THEN 50 WHEN 'L-1' THEN 70 WHEN 'L-2' THEN 70 ELSE 10 END
         WHERE sku LIKE 'L-%'`,
      );
      await create({ sku: 'L-off', name: 'L-Hidden lamp', price: 1, status: 'inactive' }).expect(201);
    });

    it('pages with defaults: active products, best sellers first, ties by id', async () => {
      const res = await t.http.get('/v1/products').query({ q: 'L-' }).expect(200);
      expect(res.body).toMatchObject({ page: 1, pageSize: 20, total: 5 });
      expect(res.body.items.map((p: { sku: string }) => p.sku)).toEqual(['L-1', 'L-2', 'L-0', 'L-3', 'L-4']);
    });

    it('filters by q case-insensitively, by price range inclusively and by status', async () => {
      const lamps = await t.http.get('/v1/products').query({ q: 'lamp', sort: 'price:asc' }).expect(200);
      expect(lamps.body.items.map((p: { name: string }) => p.name)).toEqual([
        'L-Alpha Lamp',
        'L-beta lamp',
        'L-Delta LAMP',
      ]);
      const range = await t.http
        .get('/v1/products')
        .query({ q: 'L-', minPrice: 2000, maxPrice: 4000, sort: 'price:desc' })
        .expect(200);
      expect(range.body.items.map((p: { price: number }) => p.price)).toEqual([4000, 3000, 2000]);
      const inactive = await t.http
        .get('/v1/products')
        .query({ q: 'L-', status: 'inactive' })
        .set('Authorization', admin)
        .expect(200);
      expect(inactive.body.items.map((p: { sku: string }) => p.sku)).toEqual(['L-off']);
    });

    it('treats LIKE wildcards in q as plain text', async () => {
      const res = await t.http.get('/v1/products').query({ q: '%' }).expect(200);
      expect(res.body.total).toBe(0);
    });

    it('filters by createdAfter and sorts by createdAt', async () => {
      const future = await t.http.get('/v1/products').query({ createdAfter: '2999-01-01' }).expect(200);
      expect(future.body.total).toBe(0);
      const recent = await t.http
        .get('/v1/products')
        .query({ q: 'L-', createdAfter: '2000-01-01T00:00:00Z', sort: 'createdAt:desc' })
        .expect(200);
      const created = recent.body.items.map((p: { createdAt: string }) => p.createdAt);
      expect([...created].sort().reverse()).toEqual(created);
    });

    it('walks pages that never overlap', async () => {
      const seen: string[] = [];
      for (let page = 1; page <= 3; page++) {
        const res = await t.http.get('/v1/products').query({ q: 'L-', page, pageSize: 2 }).expect(200);
        expect(res.body).toMatchObject({ page, pageSize: 2, total: 5 });
        seen.push(...res.body.items.map((p: { sku: string }) => p.sku));
      }
      expect(seen).toEqual(['L-1', 'L-2', 'L-0', 'L-3', 'L-4']);
    });

    it('tells the exact total on a full last page and past the last page', async () => {
      const full = await t.http.get('/v1/products').query({ q: 'L-', pageSize: 5 }).expect(200);
      expect(full.body).toMatchObject({ page: 1, pageSize: 5, total: 5 });
      expect(full.body.items).toHaveLength(5);
      const past = await t.http.get('/v1/products').query({ q: 'L-', page: 4, pageSize: 2 }).expect(200);
      expect(past.body).toEqual({ items: [], page: 4, pageSize: 2, total: 5 });
    });

    it.each([
      { page: 0 },
      { page: 'x' },
      { pageSize: 101 },
      { pageSize: 0 },
      { status: 'deleted' },
      { sort: 'name:asc' },
      { minPrice: -1 },
      { maxPrice: '1.5' },
      { createdAfter: 'yesterday' },
      { colour: 'red' },
    ])('answers 400 for %j', async (query) => {
      const res = await t.http.get('/v1/products').query(query).expect(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });
  });
});
