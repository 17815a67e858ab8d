import { ApiProperty } from '@nestjs/swagger';
import { ORDER_STATUSES, type OrderEventType, type OrderStatus } from '../order-state';
import type { OrderEventEntity } from '../order.entity';

export class OrderLineDto {
  @ApiProperty({ example: 1 })
  productId: number;

  @ApiProperty({ example: '无线耳机', description: 'Snapshot taken when the order was placed' })
  name: string;

  @ApiProperty({ example: 19900, description: 'Minor units; snapshot taken when the order was placed' })
  unitPrice: number;

  @ApiProperty({ example: 2 })
  quantity: number;

  @ApiProperty({ example: 39800 })
  subtotal: number;
}

/**
 * What an order answer is made from: an `OrderEntity` loaded with its items, or an order
 * just placed (built from what its INSERT returned), so both answer in the same shape.
 */
export interface OrderSource {
  id: number;
  orderSn: string;
  status: OrderStatus;
  total: number;
  createdAt: Date;
  updatedAt: Date;
  items: ReadonlyArray<Pick<OrderLineDto, 'productId' | 'name' | 'unitPrice' | 'quantity' | 'subtotal'>>;
}

export class OrderDto {
  @ApiProperty({ example: 17 })
  id: number;

  @ApiProperty({ example: '20261123221530482913' })
  orderSn: string;

  @ApiProperty({ enum: ORDER_STATUSES, example: 'pending' })
  status: OrderStatus;

  @ApiProperty({ type: [OrderLineDto] })
  items: OrderLineDto[];

  @ApiProperty({ example: 39800, description: 'Minor units' })
  total: number;

  @ApiProperty({ example: '2026-11-23T22:15:30.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T22:15:30.000Z' })
  updatedAt: string;

  static from(order: OrderSource): OrderDto {
    return {
      id: order.id,
      orderSn: order.orderSn,
      status: order.status,
      items: [...order.items]
        .sort((a, b) => a.productId - b.productId)
        .map(({ productId, name, unitPrice, quantity, subtotal }) => ({
          productId,
          name,
          unitPrice,
          quantity,
          subtotal,
        })),
      total: order.total,
      createdAt: order.createdAt.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
    };
  }
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderDto] })
  items: OrderDto[];

  @ApiProperty({ example: 1 })
  page: number;

  @ApiProperty({ example: 20 })
  pageSize: number;

  @ApiProperty({ example: 3 })
  total: number;
}

export class OrderEventDto {
  @ApiProperty({ example: 1 })
  seq: number;

  @ApiProperty({ enum: ['OrderCreated', 'OrderPaid', 'OrderShipped', 'OrderCompleted', 'OrderCancelled'] })
  type: OrderEventType;

  @ApiProperty({ example: '2026-11-23T22:15:30.000Z' })
  at: string;

  @ApiProperty({ example: { reason: 'customer' }, type: Object })
  data: Record<string, unknown>;

  static from(event: OrderEventEntity): OrderEventDto {
    return { seq: event.seq, type: event.type, at: event.at.toISOString(), data: event.data };
  }
}
