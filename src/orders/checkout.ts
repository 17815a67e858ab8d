import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';
import { InsufficientStockError, ProductNotFoundError } from '../products/products.errors';
import { OrderDto } from './dto/order.dto';
import { newOrderSn } from './order-sn';
import { normaliseLines, orderTotal, priceLine, type PricedLine, type RequestedLine } from './order-pricing';
import { OrdersRepository, type InsertedOrder } from './orders.repository';

/** One draw in a million collides; five in a row means something else is wrong. */
const ORDER_SN_ATTEMPTS = 5;

/**
 * A checkout's writes, inside the caller's transaction: normalise the lines, take their
 * stock, insert the order, answer with it.
 *
 * Each line takes its stock in one conditional statement (the database decides; stock
 * never goes below zero), lines in product-id order so concurrent checkouts lock rows in
 * one order and never deadlock. Then one statement inserts the order, its line snapshots,
 * its `OrderCreated` event and that event's outbox message (see `OrdersRepository`).
 */
@Injectable()
export class Checkout {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Throws {@link InsufficientStockError} or {@link ProductNotFoundError}; the caller's
   * transaction then rolls back whatever lines were already taken.
   */
  async place(manager: EntityManager, userId: number, requested: RequestedLine[]): Promise<OrderDto> {
    const lines = normaliseLines(requested);
    const priced = await this.takeStock(manager, lines);
    const total = orderTotal(priced);
    const inserted = await this.insert(manager, { userId, total, lines: priced });
    // Answered from what was inserted: reading the order back would cost a round trip.
    return OrderDto.from({ ...inserted, total, items: priced });
  }

  private async takeStock(manager: EntityManager, lines: RequestedLine[]): Promise<PricedLine[]> {
    const priced: PricedLine[] = [];
    for (const line of lines) {
      const taken = await this.orders.takeStock(manager, line);
      if (!taken) {
        if (!(await this.orders.isOnSale(manager, line.productId))) {
          throw new ProductNotFoundError(line.productId);
        }
        this.metrics.stockConflicts.inc();
        throw new InsufficientStockError(line.productId);
      }
      priced.push(priceLine(line, taken.name, taken.price));
    }
    return priced;
  }

  /**
   * Order numbers carry random digits: two orders in one second may draw the same. The
   * loser draws again, inside the same transaction (the conflict inserted nothing).
   */
  private async insert(
    manager: EntityManager,
    order: { userId: number; total: number; lines: PricedLine[] },
  ): Promise<InsertedOrder & { orderSn: string }> {
    for (let attempt = 1; ; attempt++) {
      const orderSn = newOrderSn();
      const inserted = await this.orders.insertOrder(manager, { ...order, orderSn });
      if (inserted) {
        return { ...inserted, orderSn };
      }
      if (attempt === ORDER_SN_ATTEMPTS) {
        throw new Error(`No free order number after ${ORDER_SN_ATTEMPTS} draws`);
      }
    }
  }
}
