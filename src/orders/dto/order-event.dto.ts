import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { CancelReason, OrderEventType } from '../order-state';
import { OrderLineDto } from './order.dto';

const CANCEL_REASONS: CancelReason[] = ['customer', 'payment_timeout', 'payment_failed', 'admin'];

// What each event stores in `data`, as written by checkout.ts, orders.controller.ts,
// webhooks.service.ts and the payment-timeout sweep.

export class OrderCreatedDataDto {
  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, example: 39800, description: 'Minor units' })
  total: number;

  @ApiProperty({ type: [OrderLineDto], description: 'The lines as priced at checkout' })
  items: OrderLineDto[];
}

export class OrderPaidDataDto {
  @ApiProperty({ example: 'evt_01J9Z3', description: 'The payment provider’s event id' })
  eventId: string;

  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, example: 39800, description: 'Minor units paid' })
  amount: number;
}

export class OrderShippedDataDto {
  @ApiPropertyOptional({ example: 'SF Express' })
  carrier?: string;

  @ApiPropertyOptional({ example: 'SF1234567890' })
  trackingNo?: string;
}

export class OrderCompletedDataDto {
  @ApiPropertyOptional({
    example: 'evt_01J9Z4',
    description: 'The logistics event that completed the order; absent when its customer or an admin did',
  })
  eventId?: string;
}

export class OrderCancelledDataDto {
  @ApiProperty({ enum: CANCEL_REASONS, example: 'customer' })
  reason: CancelReason;

  @ApiPropertyOptional({ example: 'evt_01J9Z5', description: 'The payment event, for `payment_failed`' })
  eventId?: string;
}

class OrderEventBase {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, example: 1, description: '1, 2, … per order' })
  seq: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T22:15:30.000Z' })
  at: string;
}

export class OrderCreatedEventDto extends OrderEventBase {
  @ApiProperty({ enum: ['OrderCreated'] })
  type: 'OrderCreated';

  @ApiProperty({ type: OrderCreatedDataDto })
  data: OrderCreatedDataDto;
}

export class OrderPaidEventDto extends OrderEventBase {
  @ApiProperty({ enum: ['OrderPaid'] })
  type: 'OrderPaid';

  @ApiProperty({ type: OrderPaidDataDto })
  data: OrderPaidDataDto;
}

export class OrderShippedEventDto extends OrderEventBase {
  @ApiProperty({ enum: ['OrderShipped'] })
  type: 'OrderShipped';

  @ApiProperty({ type: OrderShippedDataDto })
  data: OrderShippedDataDto;
}

export class OrderCompletedEventDto extends OrderEventBase {
  @ApiProperty({ enum: ['OrderCompleted'] })
  type: 'OrderCompleted';

  @ApiProperty({ type: OrderCompletedDataDto })
  data: OrderCompletedDataDto;
}

export class OrderCancelledEventDto extends OrderEventBase {
  @ApiProperty({ enum: ['OrderCancelled'] })
  type: 'OrderCancelled';

  @ApiProperty({ type: OrderCancelledDataDto })
  data: OrderCancelledDataDto;
}

/** One entry of an order's history; `type` tells the shape of `data`. */
export type OrderEventDto =
  OrderCreatedEventDto | OrderPaidEventDto | OrderShippedEventDto | OrderCompletedEventDto | OrderCancelledEventDto;

const EVENT_DTOS = {
  OrderCreated: OrderCreatedEventDto,
  OrderPaid: OrderPaidEventDto,
  OrderShipped: OrderShippedEventDto,
  OrderCompleted: OrderCompletedEventDto,
  OrderCancelled: OrderCancelledEventDto,
} satisfies Record<OrderEventType, unknown>;

export const ORDER_EVENT_MODELS = Object.values(EVENT_DTOS);

/** The OpenAPI schema of {@link OrderEventDto}: a `oneOf` discriminated by `type`. */
export const ORDER_EVENT_SCHEMA = {
  oneOf: ORDER_EVENT_MODELS.map((model) => ({ $ref: getSchemaPath(model) })),
  discriminator: {
    propertyName: 'type',
    mapping: Object.fromEntries(Object.entries(EVENT_DTOS).map(([type, model]) => [type, getSchemaPath(model)])),
  },
};

export function orderEventFrom(event: { seq: number; type: OrderEventType; at: Date; data: unknown }): OrderEventDto {
  // `data` is what this service wrote for the event's type (see the data DTOs above).
  return { seq: event.seq, type: event.type, at: event.at.toISOString(), data: event.data } as OrderEventDto;
}
