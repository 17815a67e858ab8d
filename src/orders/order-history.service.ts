import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { insertIntoOutbox, isoTimestamp } from '../messaging/outbox';
import type { OrderEventType } from './order-state';

export interface OrderRef {
  id: number;
  orderSn: string;
}

export interface AppendedEvent {
  id: string;
  seq: number;
  type: OrderEventType;
  at: Date;
}

/**
 * Appends to an order's history, inside the caller's transaction: the event row and
 * its outbox message are written by one statement, and commit (or vanish) together with
 * the change they describe. Callers hold the order's row lock, so `seq` is gap-free.
 * (Checkout appends `OrderCreated` with {@link appendEventTo} in the statement that
 * inserts the order.)
 */
@Injectable()
export class OrderHistory {
  async append(
    manager: EntityManager,
    order: OrderRef,
    type: OrderEventType,
    data: Record<string, unknown> = {},
  ): Promise<AppendedEvent> {
    const event = newEvent(type, data);
    const [{ seq, at }] = (await manager.query(
      `WITH the_order (id, order_sn) AS (VALUES ($5::int, $6::varchar)),
       ${appendEventTo('the_order')}
       SELECT seq, at FROM new_event`,
      [...event.parameters, order.id, order.orderSn],
    )) as Array<{ seq: number; at: Date }>;
    return { id: event.id, seq, type, at };
  }
}

/** An event about to be appended: its id, and the parameters $1–$4 of {@link appendEventTo}. */
export interface NewEvent {
  id: string;
  parameters: [id: string, type: OrderEventType, data: string, subject: string];
}

export function newEvent(type: OrderEventType, data: Record<string, unknown>): NewEvent {
  const id = randomUUID();
  return { id, parameters: [id, type, JSON.stringify(data), `mall.orders.${type}`] };
}

/**
 * Two data-modifying CTEs, `new_event` and `new_message`, for a statement whose `order`
 * (a relation of one row with the columns id and order_sn) is the order: `new_event`
 * appends the event $1 of type $2 with data $3 at the order's next seq, and returns its
 * row; `new_message` records it in the outbox under subject $4, with the payload
 * consumers get: {id, type, orderId, orderSn, seq, at, data}. The statement's own
 * parameters start at $5 ({@link newEvent} gives $1–$4).
 */
export function appendEventTo(order: string): string {
  return `new_event AS (
      INSERT INTO order_events (id, order_id, seq, type, data)
      SELECT $1::uuid, ${order}.id,
             coalesce((SELECT max(seq) FROM order_events WHERE order_id = ${order}.id), 0) + 1,
             $2::varchar, $3::jsonb
      FROM ${order}
      RETURNING id, order_id, seq, type, data, at
    ), new_message AS (
      ${insertIntoOutbox(`(
        SELECT new_event.id, $4::varchar AS subject,
               jsonb_build_object('id', new_event.id, 'type', new_event.type, 'orderId', new_event.order_id,
                                  'orderSn', ${order}.order_sn, 'seq', new_event.seq,
                                  'at', ${isoTimestamp('new_event.at')}, 'data', new_event.data) AS payload
        FROM new_event, ${order}
      ) AS message`)}
    )`;
}
