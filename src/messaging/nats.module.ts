import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { NatsConnectionService } from './nats-connection';
import { NatsHealthIndicator } from './nats.health';
import { OutboxRelay } from './outbox-relay.service';
import { OutboxRepository } from './outbox.repository';

/**
 * NATS JetStream publishing: the connection (when `NATS_URL` is set), the outbox relay
 * and the readiness check. Global, so Orders can `nudge()` the relay and Health can
 * check NATS without importing this module.
 */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [NatsConnectionService, OutboxRelay, OutboxRepository, NatsHealthIndicator],
  exports: [NatsConnectionService, OutboxRelay, NatsHealthIndicator],
})
export class NatsModule {}
