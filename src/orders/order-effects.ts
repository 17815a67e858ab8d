import { Injectable, Logger } from '@nestjs/common';
import { CartService } from '../cart/cart.service';
import { OutboxRelay } from '../messaging/outbox-relay.service';
import { MetricsService } from '../metrics/metrics.service';
import { ProductsService } from '../products/products.service';
import type { CancelReason, OrderAction } from './order-state';

/**
 * What follows an order's commit, registered with `tx.afterCommit` by `OrdersService`:
 * it runs only once the order committed, and the request answers after it (the
 * contract: once a write answered, every instance shows the new stock, and the lines
 * ordered have left the cart). A failure here is logged by `TransactionRunner`; the
 * order stands.
 */
@Injectable()
export class OrderEffects {
  private readonly logger = new Logger(OrderEffects.name);

  constructor(
    private readonly cart: CartService,
    private readonly products: ProductsService,
    private readonly metrics: MetricsService,
    private readonly outbox: OutboxRelay,
  ) {}

  /** An order was placed: publish its event soon, count it, show the new stock, empty its lines from the cart. */
  async placed(userId: number, productIds: number[]): Promise<void> {
    this.outbox.nudge();
    this.metrics.ordersCreated.inc();
    await Promise.all([this.products.invalidate(productIds), this.removeFromCart(userId, productIds)]);
  }

  /** An order moved: publish its event soon; a cancelled one gave its stock back. */
  async moved(action: OrderAction, data: Record<string, unknown>, productIds: number[]): Promise<void> {
    this.outbox.nudge();
    if (action === 'cancel') {
      this.metrics.ordersCancelled.inc({ reason: String(data.reason as CancelReason) });
      await this.products.invalidate(productIds);
    }
  }

  /** The order stands even if Redis is down now; the lines then stay in the cart (logged). */
  private async removeFromCart(userId: number, productIds: number[]): Promise<void> {
    try {
      await this.cart.removeProducts(userId, productIds);
    } catch (error) {
      this.logger.warn(`Ordered lines left in the cart of user ${userId}: ${(error as Error).message}`);
    }
  }
}
