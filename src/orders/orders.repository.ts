import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { NamedSql } from '../database/named-sql';
import { isoTimestamp } from '../messaging/outbox';
import type { OrderSource } from './dto/order.dto';
import type { PricedLine, RequestedLine } from './order-pricing';
import type { OrderEventType, OrderStatus } from './order-state';

/** The locked row a transition works on. */
export interface LockedOrder {
  id: number;
  orderSn: string;
  userId: number;
  status: OrderStatus;
  total: number;
}

/** What the checkout's insert returns: with the lines and total it was given, the answer. */
export interface InsertedOrder {
  id: number;
  status: OrderStatus;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Takes one line's stock if the product is on sale and has enough of it; returns its name
 * and price. No row: not taken (see {@link OrdersRepository.isOnSale} for why).
 */
const TAKE_STOCK = new NamedSql<{ productId: number; quantity: number }>(
  `UPDATE products SET stock = stock - :quantity, sales = sales + :quantity, updated_at = now()
   WHERE id = :productId AND stock >= :quantity AND status = 'active' AND deleted_at IS NULL
   RETURNING name, price`,
  'checkout_take_stock',
);

const IS_ON_SALE = new NamedSql<{ productId: number }>(
  `SELECT 1 FROM products WHERE id = :productId AND status = 'active' AND deleted_at IS NULL`,
);

/** A new order as the checkout inserts it: its number, owner, total and priced lines. */
export interface NewOrder {
  orderSn: string;
  userId: number;
  total: number;
  lines: PricedLine[];
}

interface InsertOrderParams {
  orderSn: string;
  userId: number;
  total: number;
  productIds: number[];
  names: string[];
  unitPrices: number[];
  quantities: number[];
  subtotals: number[];
  eventId: string;
  eventData: string;
}

/**
 * The outbox message of the event the statement's `new_event` CTE inserted, for the order
 * numbered `:orderSn`: subject `mall.orders.<type>`, and the payload consumers get,
 * {id, type, orderId, orderSn, seq, at, data}. Every order event's message is written by
 * this one CTE body ({@link INSERT_ORDER}, {@link APPEND_EVENT}). Its created_at is
 * clock_timestamp(), not now(): a transaction that waited for an order's row lock writes
 * after the one it waited for, so the relay's created_at order is each order's event order.
 */
const NEW_EVENT_OUTBOX_MESSAGE = `INSERT INTO outbox (id, subject, payload, created_at)
     SELECT new_event.id, 'mall.orders.' || new_event.type,
            jsonb_build_object('id', new_event.id, 'type', new_event.type, 'orderId', new_event.order_id,
                               'orderSn', :orderSn::varchar, 'seq', new_event.seq,
                               'at', ${isoTimestamp('new_event.at')}, 'data', new_event.data),
            clock_timestamp()
     FROM new_event`;

/**
 * Inserts the order, its line snapshots (one array per column), its `OrderCreated` event
 * (seq 1: the order is new) and the event's outbox message ({@link NEW_EVENT_OUTBOX_MESSAGE}).
 * Returns what the answer needs. An order number another order already has inserts
 * nothing (no event, no message) and returns no row.
 */
const INSERT_ORDER = new NamedSql<InsertOrderParams>(
  `WITH new_order AS (
     INSERT INTO orders (order_sn, user_id, status, total) VALUES (:orderSn, :userId, 'pending', :total)
     ON CONFLICT (order_sn) DO NOTHING
     RETURNING id, order_sn, status, created_at, updated_at
   ), new_lines AS (
     INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, subtotal)
     SELECT new_order.id, line.*
     FROM new_order,
          unnest(:productIds::int[], :names::varchar[], :unitPrices::int[], :quantities::int[], :subtotals::bigint[])
            AS line
   ), new_event AS (
     INSERT INTO order_events (id, order_id, seq, type, data)
     SELECT :eventId::uuid, new_order.id, 1, 'OrderCreated'::varchar, :eventData::jsonb
     FROM new_order
     RETURNING id, order_id, seq, type, data, at
   ), new_message AS (
     ${NEW_EVENT_OUTBOX_MESSAGE}
   )
   SELECT id, status, created_at AS "createdAt", updated_at AS "updatedAt" FROM new_order`,
  'checkout_insert_order',
);

/** {@link INSERT_ORDER}'s parameters for `order`: one array per line column, and a new event id. */
export function insertOrderParams(order: NewOrder): InsertOrderParams {
  const { lines } = order;
  return {
    orderSn: order.orderSn,
    userId: order.userId,
    total: order.total,
    productIds: lines.map((line) => line.productId),
    names: lines.map((line) => line.name),
    unitPrices: lines.map((line) => line.unitPrice),
    quantities: lines.map((line) => line.quantity),
    subtotals: lines.map((line) => line.subtotal),
    eventId: randomUUID(),
    eventData: JSON.stringify({ total: order.total, items: lines }),
  };
}

/**
 * The checkout's statements in the order it issues them ({@link IS_ON_SALE} only after a
 * take returned no row), with their parameters from {@link insertOrderParams}: what
 * `npm run bench:explain` shows the plans of.
 */
export const CHECKOUT_STATEMENTS = { takeStock: TAKE_STOCK, isOnSale: IS_ON_SALE, insertOrder: INSERT_ORDER };

/**
 * Appends an event at the order's next seq and its outbox message
 * ({@link NEW_EVENT_OUTBOX_MESSAGE}). The caller holds the order's row lock, so seq is gap-free.
 */
const APPEND_EVENT = new NamedSql<{
  orderId: number;
  orderSn: string;
  eventId: string;
  type: OrderEventType;
  data: string;
}>(
  `WITH new_event AS (
     INSERT INTO order_events (id, order_id, seq, type, data)
     SELECT :eventId::uuid, :orderId::int,
            coalesce((SELECT max(seq) FROM order_events WHERE order_id = :orderId::int), 0) + 1,
            :type::varchar, :data::jsonb
     RETURNING id, order_id, seq, type, data, at
   ), new_message AS (
     ${NEW_EVENT_OUTBOX_MESSAGE}
   )
   SELECT seq, at FROM new_event`,
);

const LOCKED_COLUMNS = `id, order_sn AS "orderSn", user_id AS "userId", status, total::float8 AS total`;

const LOCK_BY_ID = new NamedSql<{ id: number }>(`SELECT ${LOCKED_COLUMNS} FROM orders WHERE id = :id FOR UPDATE`);

const LOCK_BY_SN = new NamedSql<{ orderSn: string }>(
  `SELECT ${LOCKED_COLUMNS} FROM orders WHERE order_sn = :orderSn FOR UPDATE`,
);

/** Claims expired pending orders; instances sweeping at once skip each other's rows. */
const LOCK_EXPIRED = new NamedSql<{ olderThanSeconds: number; batchSize: number }>(
  `SELECT ${LOCKED_COLUMNS} FROM orders
   WHERE status = 'pending' AND created_at < now() - make_interval(secs => :olderThanSeconds)
   ORDER BY created_at LIMIT :batchSize FOR UPDATE SKIP LOCKED`,
);

const SET_STATUS = new NamedSql<{ id: number; status: OrderStatus }>(
  `UPDATE orders SET status = :status, updated_at = now() WHERE id = :id`,
);

const LINES_OF = new NamedSql<{ orderId: number }>(
  `SELECT product_id AS "productId", quantity FROM order_items WHERE order_id = :orderId`,
);

const RESTORE_STOCK = new NamedSql<{ productId: number; quantity: number }>(
  `UPDATE products SET stock = stock + :quantity, sales = greatest(sales - :quantity, 0), updated_at = now()
   WHERE id = :productId`,
);

/** An order as the answers show it, with its lines in product-id order. */
export interface OrderWithItems extends OrderSource {
  userId: number;
}

/** An entry of an order's history. */
export interface OrderEventRow {
  seq: number;
  type: OrderEventType;
  at: Date;
  data: Record<string, unknown>;
}

const ORDER_COLUMNS = `o.id, o.order_sn AS "orderSn", o.user_id AS "userId", o.status, o.total::float8 AS total,
  o.created_at AS "createdAt", o.updated_at AS "updatedAt",
  (SELECT coalesce(json_agg(json_build_object('productId', i.product_id, 'name', i.name, 'unitPrice', i.unit_price,
                                              'quantity', i.quantity, 'subtotal', i.subtotal::float8)
                            ORDER BY i.product_id), '[]')
   FROM order_items i WHERE i.order_id = o.id) AS items`;

/** A page of orders with their lines, newest first, of one user or (`ownerId` NULL) of everyone. */
const PAGE = new NamedSql<{ ownerId: number | null; limit: number; offset: number }>(
  `SELECT ${ORDER_COLUMNS} FROM orders o
   WHERE :ownerId::int IS NULL OR o.user_id = :ownerId::int
   ORDER BY o.created_at DESC, o.id DESC LIMIT :limit OFFSET :offset`,
);

const COUNT = new NamedSql<{ ownerId: number | null }>(
  `SELECT count(*)::int AS count FROM orders WHERE :ownerId::int IS NULL OR user_id = :ownerId::int`,
);

const FIND_WITH_ITEMS = new NamedSql<{ id: number }>(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = :id`);

const HISTORY = new NamedSql<{ orderId: number }>(
  `SELECT seq, type, at, data FROM order_events WHERE order_id = :orderId ORDER BY seq`,
);

/**
 * Every statement about orders, each visible here as the SQL it is: the checkout's
 * (stock, the order with its lines, event and outbox message), the locks, transitions and
 * stock restores of the state machine, and the reads of orders and their history.
 * Writes run on the `EntityManager` of the caller's transaction; reads outside one (on
 * the data source's own manager).
 * The checkout's two statements are prepared (parsed and planned once per connection);
 * bench/checkout.pgbench.sql runs the same two.
 */
@Injectable()
export class OrdersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Takes `line`'s stock; `undefined` when the product is not on sale or has too little. */
  async takeStock(manager: EntityManager, line: RequestedLine): Promise<{ name: string; price: number } | undefined> {
    const [taken] = await TAKE_STOCK.run<{ name: string; price: number }>(manager, line);
    return taken;
  }

  async isOnSale(manager: EntityManager, productId: number): Promise<boolean> {
    return (await IS_ON_SALE.run(manager, { productId })).length > 0;
  }

  /** Inserts a new order with its `OrderCreated` event; `undefined` when `orderSn` is taken. */
  async insertOrder(manager: EntityManager, order: NewOrder): Promise<InsertedOrder | undefined> {
    const [inserted] = await INSERT_ORDER.run<InsertedOrder>(manager, insertOrderParams(order));
    return inserted;
  }

  /** Appends `type` to the history of the locked `order`, with its outbox message. */
  async appendEvent(
    manager: EntityManager,
    order: { id: number; orderSn: string },
    type: OrderEventType,
    data: Record<string, unknown>,
  ): Promise<{ seq: number; at: Date }> {
    const [appended] = await APPEND_EVENT.run<{ seq: number; at: Date }>(manager, {
      orderId: order.id,
      orderSn: order.orderSn,
      eventId: randomUUID(),
      type,
      data: JSON.stringify(data),
    });
    return appended;
  }

  async lock(manager: EntityManager, which: { id: number } | { orderSn: string }): Promise<LockedOrder | undefined> {
    const rows = await ('id' in which
      ? LOCK_BY_ID.run<LockedOrder>(manager, which)
      : LOCK_BY_SN.run<LockedOrder>(manager, which));
    return rows[0];
  }

  lockExpired(manager: EntityManager, olderThanSeconds: number, batchSize: number): Promise<LockedOrder[]> {
    return LOCK_EXPIRED.run<LockedOrder>(manager, { olderThanSeconds, batchSize });
  }

  async setStatus(manager: EntityManager, id: number, status: OrderStatus): Promise<void> {
    await SET_STATUS.run(manager, { id, status });
  }

  linesOf(manager: EntityManager, orderId: number): Promise<RequestedLine[]> {
    return LINES_OF.run<RequestedLine>(manager, { orderId });
  }

  /** Puts the stock and sales of cancelled lines back, in product-id order like a checkout. */
  async restoreStock(manager: EntityManager, lines: RequestedLine[]): Promise<void> {
    for (const line of [...lines].sort((a, b) => a.productId - b.productId)) {
      await RESTORE_STOCK.run(manager, line);
    }
  }

  /** A page of orders, newest first, of one user (or of everyone), and how many there are in all. */
  async page(
    ownerId: number | undefined,
    page: { page: number; pageSize: number },
  ): Promise<[OrderWithItems[], number]> {
    const owner = { ownerId: ownerId ?? null };
    const manager = this.dataSource.manager;
    const orders = await PAGE.run<OrderWithItems>(manager, {
      ...owner,
      limit: page.pageSize,
      offset: (page.page - 1) * page.pageSize,
    });
    const [{ count }] = await COUNT.run<{ count: number }>(manager, owner);
    return [orders, count];
  }

  async findWithItems(id: number): Promise<OrderWithItems | undefined> {
    const [order] = await FIND_WITH_ITEMS.run<OrderWithItems>(this.dataSource.manager, { id });
    return order;
  }

  /** An order's history, oldest first. */
  history(orderId: number): Promise<OrderEventRow[]> {
    return HISTORY.run<OrderEventRow>(this.dataSource.manager, { orderId });
  }
}
