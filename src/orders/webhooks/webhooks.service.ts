import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { MetricsService } from '../../metrics/metrics.service';
import { OrderDto } from '../dto/order.dto';
import type { OrderAction } from '../order-state';
import type { LockedOrder } from '../orders.repository';
import { OrdersService } from '../orders.service';
import { WebhookInboxRepository, type WebhookSource } from './webhook-inbox.repository';
import { DuplicateEventDto, LogisticsEventDto, PaymentEventDto } from './webhook-events.dto';

export class AmountMismatchError extends DomainError {
  constructor(expected: number, paid: number) {
    super(409, 'AMOUNT_MISMATCH', `The payment of ${paid} does not match the order total of ${expected}`);
  }
}

/**
 * Applies provider events to orders through the state machine. Each event id is
 * recorded in an inbox in the same transaction as the change it causes, so a repeat
 * (even a concurrent one) is answered `{duplicate: true}` and changes nothing. An event
 * the order's state cannot take is refused (409) and not recorded, so it stays refused.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly orders: OrdersService,
    private readonly transactions: TransactionRunner,
    private readonly inbox: WebhookInboxRepository,
    private readonly metrics: MetricsService,
  ) {}

  payment(event: PaymentEventDto): Promise<OrderDto | DuplicateEventDto> {
    const succeeded = event.status === 'succeeded';
    return this.apply('payments', event.eventId, event.orderSn, succeeded ? 'pay' : 'cancel', {
      data: succeeded
        ? { eventId: event.eventId, amount: event.amount }
        : { reason: 'payment_failed', eventId: event.eventId },
      check: (order) => {
        if (succeeded && event.amount !== order.total) {
          throw new AmountMismatchError(order.total, event.amount);
        }
      },
    });
  }

  logistics(event: LogisticsEventDto): Promise<OrderDto | DuplicateEventDto> {
    return this.apply('logistics', event.eventId, event.orderSn, 'complete', { data: { eventId: event.eventId } });
  }

  private async apply(
    source: WebhookSource,
    eventId: string,
    orderSn: string,
    action: OrderAction,
    options: { data: Record<string, unknown>; check?: (order: LockedOrder) => void },
  ): Promise<OrderDto | DuplicateEventDto> {
    if (await this.inbox.seen(source, eventId)) {
      this.metrics.webhookDuplicates.inc({ source });
      return { duplicate: true };
    }
    try {
      const id = await this.transactions.run(async (manager, tx) => {
        const order = await this.orders.lock(manager, { orderSn });
        options.check?.(order);
        await this.inbox.record(manager, source, eventId, order.id);
        await this.orders.move(manager, tx, order, action, options.data);
        return order.id;
      });
      return await this.orders.view(id);
    } catch (error) {
      if (isUniqueViolation(error, 'webhook_inbox_pkey')) {
        this.metrics.webhookDuplicates.inc({ source });
        return { duplicate: true }; // the same event, delivered twice at once
      }
      throw error;
    }
  }
}
