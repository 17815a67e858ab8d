import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfig } from '../config/configuration';
import { OrdersService } from './orders.service';

const BATCH_SIZE = 50;

/**
 * Cancels pending orders that outlived `PAYMENT_TIMEOUT_SECONDS` (reason
 * `payment_timeout`). Every instance sweeps; row locks with SKIP LOCKED and the state
 * machine make each order cancelled exactly once.
 */
@Injectable()
export class PaymentTimeoutJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PaymentTimeoutJob.name);
  private readonly timeoutSeconds: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly orders: OrdersService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.timeoutSeconds = config.get('orders', { infer: true }).paymentTimeoutSeconds;
  }

  onApplicationBootstrap(): void {
    // A quarter of the timeout, between 250 ms and 30 s: late by at most that much.
    const every = Math.min(30_000, Math.max(250, (this.timeoutSeconds * 1000) / 4));
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Cancels every expired order, a batch per transaction. */
  async sweep(): Promise<void> {
    try {
      let cancelled: number;
      do {
        cancelled = await this.orders.cancelExpired(this.timeoutSeconds, BATCH_SIZE);
        if (cancelled > 0) {
          this.logger.log(`Cancelled ${cancelled} unpaid order(s) after ${this.timeoutSeconds} s`);
        }
      } while (cancelled === BATCH_SIZE);
    } catch (error) {
      this.logger.error(`Payment-timeout sweep failed: ${(error as Error).message}`);
    }
  }
}
