import type { EntityManager } from 'typeorm';
import { PreparedStatement, runPrepared } from '../database/prepared-statements';
import { InsufficientStockError, ProductNotFoundError } from '../products/products.errors';
import { appendEventTo, newEvent } from './order-history.service';
import type { OrderStatus } from './order-state';
import { newOrderSn } from './order-sn';
import { orderTotal, priceLine, type PricedLine, type RequestedLine } from './order-pricing';

/** Takes one line's stock if the product is on sale and has enough of it; returns its name and price. */
const TAKE_STOCK = new PreparedStatement(
  'checkout_take_stock',
  `UPDATE products SET stock = stock - $1, sales = sales + $1, updated_at = now()
   WHERE id = $2 AND stock >= $1 AND status = 'active' AND deleted_at IS NULL
   RETURNING name, price`,
);

/**
 * Inserts the order, its line snapshots, its `OrderCreated` event (seq 1: the order is new)
 * and the event's outbox message; returns what the answer needs. $1–$4 are the event's.
 * An order number another order already has inserts nothing and returns no row.
 */
const INSERT_ORDER = new PreparedStatement(
  'checkout_insert_order',
  `WITH new_order AS (
     INSERT INTO orders (order_sn, user_id, status, total) VALUES ($5, $6, 'pending', $7)
     ON CONFLICT (order_sn) DO NOTHING
     RETURNING id, order_sn, status, created_at, updated_at
   ), new_lines AS (
     INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, subtotal)
     SELECT new_order.id, line.*
     FROM new_order, unnest($8::int[], $9::varchar[], $10::int[], $11::int[], $12::bigint[]) AS line
   ), ${appendEventTo('new_order')}
   SELECT id, status, created_at AS "createdAt", updated_at AS "updatedAt" FROM new_order`,
);

/** One draw in a million collides; five in a row means something else is wrong. */
const ORDER_SN_ATTEMPTS = 5;

/** The order as inserted: enough to answer with, without reading it back. */
export interface PlacedOrder {
  id: number;
  orderSn: string;
  status: OrderStatus;
  /** In product-id order. */
  lines: PricedLine[];
  total: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A checkout's writes, inside the caller's transaction. Each line takes its stock in one
 * conditional statement (the database decides; stock never goes below zero), lines in
 * product-id order so concurrent checkouts lock rows in one order and never deadlock.
 * Then one statement inserts the order, its line snapshots, its `OrderCreated` event
 * (seq 1) and that event's outbox message, and returns what the answer needs. Both
 * statements are prepared (parsed and planned once per connection).
 *
 * Throws {@link InsufficientStockError} or {@link ProductNotFoundError}; the caller's
 * transaction then rolls back whatever lines were already taken.
 */
export async function placeOrder(manager: EntityManager, userId: number, lines: RequestedLine[]): Promise<PlacedOrder> {
  const priced: PricedLine[] = [];
  for (const line of lines) {
    const taken = await runPrepared<{ name: string; price: number }>(manager, TAKE_STOCK, [
      line.quantity,
      line.productId,
    ]);
    if (taken.length === 0) {
      throw await whyNotTaken(manager, line.productId);
    }
    priced.push(priceLine(line, taken[0].name, taken[0].price));
  }

  const total = orderTotal(priced);
  const event = newEvent('OrderCreated', { total, items: priced });
  // Order numbers carry random digits: two orders in one second may draw the same. The
  // loser draws again, inside the same transaction (the conflict inserted nothing).
  for (let attempt = 1; ; attempt++) {
    const orderSn = newOrderSn();
    const [inserted] = await runPrepared<{ id: number; status: OrderStatus; createdAt: Date; updatedAt: Date }>(
      manager,
      INSERT_ORDER,
      [
        ...event.parameters,
        orderSn,
        userId,
        total,
        priced.map((line) => line.productId),
        priced.map((line) => line.name),
        priced.map((line) => line.unitPrice),
        priced.map((line) => line.quantity),
        priced.map((line) => line.subtotal),
      ],
    );
    if (inserted) {
      return { ...inserted, orderSn, lines: priced, total };
    }
    if (attempt === ORDER_SN_ATTEMPTS) {
      throw new Error(`No free order number after ${ORDER_SN_ATTEMPTS} draws`);
    }
  }
}

async function whyNotTaken(manager: EntityManager, productId: number): Promise<Error> {
  const rows = (await manager.query(
    `SELECT 1 FROM products WHERE id = $1 AND status = 'active' AND deleted_at IS NULL`,
    [productId],
  )) as unknown[];
  return rows.length === 0 ? new ProductNotFoundError(productId) : new InsufficientStockError(productId);
}

/** Puts the stock and sales of cancelled lines back, in product-id order like a checkout. */
export async function restoreStock(manager: EntityManager, lines: RequestedLine[]): Promise<void> {
  for (const line of [...lines].sort((a, b) => a.productId - b.productId)) {
    await manager.query(
      `UPDATE products SET stock = stock + $1, sales = greatest(sales - $1, 0), updated_at = now() WHERE id = $2`,
      [line.quantity, line.productId],
    );
  }
}
