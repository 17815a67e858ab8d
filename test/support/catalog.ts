import type { TestApp } from './test-app';

let skuCounter = 0;

/** Creates a product through the admin API and returns it. */
export async function createProduct(
  t: TestApp,
  admin: string,
  fields: { price?: number; stock?: number; name?: string } = {},
): Promise<{ id: number; sku: string; name: string; price: number; stock: number }> {
  const sku = `T-${process.pid}-${++skuCounter}-${Date.now()}`;
  const res = await t.http
    .post('/v1/products')
    .set('Authorization', admin)
    .send({ sku, name: fields.name ?? `Product ${sku}`, price: fields.price ?? 1000, stock: fields.stock ?? 10 })
    .expect(201);
  return res.body;
}

/** Stock and sales as the database has them (no cache in between). */
export async function stockOf(t: TestApp, productId: number): Promise<{ stock: number; sales: number }> {
  const [row] = await t.dataSource.query(`SELECT stock, sales FROM products WHERE id = $1`, [productId]);
  return row;
}
