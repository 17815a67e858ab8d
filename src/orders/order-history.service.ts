import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { writeToOutbox } from '../messaging/outbox';
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
 * its outbox message commit (or vanish) together with the change they describe.
 * Callers hold the order's row lock (or have just inserted it), so `seq` is gap-free.
 */
@Injectable()
export class OrderHistory {
  async append(
    manager: EntityManager,
    order: OrderRef,
    type: OrderEventType,
    data: Record<string, unknown> = {},
  ): Promise<AppendedEvent> {
    const id = randomUUID();
    const [{ seq, at }] = (await manager.query(
      `INSERT INTO order_events (id, order_id, seq, type, data)
       SELECT $1, $2, coalesce(max(seq), 0) + 1, $3, $4 FROM order_events WHERE order_id = $2
       RETURNING seq, at`,
      [id, order.id, type, JSON.stringify(data)],
    )) as Array<{ seq: number; at: Date }>;
    await writeToOutbox(manager, {
      id,
      subject: `mall.orders.${type}`,
      payload: { id, type, orderId: order.id, orderSn: order.orderSn, seq, at: at.toISOString(), data },
    });
    return { id, seq, type, at };
  }
}
