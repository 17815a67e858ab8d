import { createProduct } from './catalog';
import { ADMIN, bearer, newCustomer, type TestApp } from './test-app';

/** An outbox row as the relay reads it. */
export interface OutboxEvent {
  id: string;
  subject: string;
  payload: Record<string, unknown>;
}

/**
 * Places `count` orders over HTTP, one after another, and returns their `OrderCreated`
 * outbox rows oldest first: the rows the checkout itself wrote, so the relay is tested
 * on what production writes.
 */
export async function placeOrders(t: TestApp, count: number): Promise<OutboxEvent[]> {
  const admin = await bearer(t.http, ADMIN.email, ADMIN.password);
  const buyer = await newCustomer(t.http);
  const product = await createProduct(t, admin, { price: 500, stock: count });
  const orderIds: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await t.http
      .post('/v1/orders')
      .set('Authorization', buyer.auth)
      .send({ items: [{ productId: product.id, quantity: 1 }] })
      .expect(201);
    orderIds.push(res.body.id as number);
  }
  return (await t.dataSource.query(
    `SELECT o.id, o.subject, o.payload FROM outbox o JOIN order_events e ON e.id = o.id
     WHERE e.order_id = ANY($1::int[]) ORDER BY o.created_at, o.id`,
    [orderIds],
  )) as OutboxEvent[];
}
