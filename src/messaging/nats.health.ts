import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { NatsConnectionService } from './nats-connection';

/** Up when NATS answers a round trip and the order-event stream exists. */
@Injectable()
export class NatsHealthIndicator {
  constructor(
    private readonly nats: NatsConnectionService,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await this.nats.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
