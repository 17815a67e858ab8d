import { ApiProperty } from '@nestjs/swagger';
import { ORDER_STATUSES, type OrderStatus } from '../order-state';

export class OrderLineDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, example: 1 })
  productId: number;

  @ApiProperty({ example: '无线耳机', description: 'Snapshot taken when the order was placed' })
  name: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    example: 19900,
    description: 'Minor units; snapshot taken when the order was placed',
  })
  unitPrice: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 999, example: 2 })
  quantity: number;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    example: 39800,
    description: 'unitPrice × quantity, minor units',
  })
  subtotal: number;
}

/**
 * What an order answer is made from: an order read with its items, or an order
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
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, example: 17 })
  id: number;

  @ApiProperty({ example: '20261123221530482913' })
  orderSn: string;

  @ApiProperty({ enum: ORDER_STATUSES, example: 'pending' })
  status: OrderStatus;

  @ApiProperty({ type: [OrderLineDto] })
  items: OrderLineDto[];

  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, example: 39800, description: 'Minor units' })
  total: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T22:15:30.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T22:15:30.000Z' })
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

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, example: 1 })
  page: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 100, example: 20 })
  pageSize: number;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    example: 3,
    description: 'Orders visible to the caller, over all pages',
  })
  total: number;
}
