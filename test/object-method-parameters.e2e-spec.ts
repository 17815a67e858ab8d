import { closeSuite, newCustomer, openSuite, TestApp, TestWorld } from './support/test-app';

/**
 * A query parameter named like a method every object inherits is as unknown as any other
 * name: the check that refuses unknown parameters must not find it on a prototype.
 */
describe('Query parameters named like object methods', () => {
  let world: TestWorld;
  let t: TestApp;
  let customer: string;

  beforeAll(async () => {
    ({ world, t } = await openSuite());
    customer = (await newCustomer(t.http)).auth;
  });
  afterAll(() => closeSuite({ world, t }));

  const NAMES = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'];

  it.each(NAMES)('%s is 400 VALIDATION_FAILED on GET /v1/products and GET /v1/orders', async (name) => {
    const products = await t.http.get(`/v1/products?${name}=1`);
    expect({ status: products.status, code: products.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(products.body.details).toEqual([{ field: name, message: expect.stringContaining(name) }]);
    const orders = await t.http.get(`/v1/orders?${name}=1`).set('Authorization', customer);
    expect({ status: orders.status, code: orders.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(orders.body.details).toEqual([{ field: name, message: expect.stringContaining(name) }]);
  });

  it.each(NAMES)('%s is refused by the storefront catalog as any unknown parameter is', async (name) => {
    const known = await t.http.get('/?bogus=1');
    const page = await t.http.get(`/?${name}=1`);
    expect(page.status).toBe(400);
    expect(page.status).toBe(known.status);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });
});
