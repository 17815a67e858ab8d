import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { droppedLogLines } from '../logging/log-stream';

/**
 * The app's Prometheus registry and every metric it records. One registry per app
 * instance, so two apps in one process (as in the tests) never collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly cacheRequests = new Counter({
    name: 'cache_requests_total',
    help: 'Cache lookups by layer (l1 in-process, l2 Redis) and result (hit, miss)',
    labelNames: ['layer', 'result'] as const,
    registers: [this.registry],
  });

  readonly ordersCreated = new Counter({
    name: 'orders_created_total',
    help: 'Orders created',
    registers: [this.registry],
  });

  readonly ordersCancelled = new Counter({
    name: 'orders_cancelled_total',
    help: 'Orders cancelled, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly idempotencyReplays = new Counter({
    name: 'idempotency_replays_total',
    help: 'Requests answered with the stored answer of an earlier request with the same Idempotency-Key',
    registers: [this.registry],
  });

  readonly stockConflicts = new Counter({
    name: 'stock_conflicts_total',
    help: 'Checkouts refused with 409 INSUFFICIENT_STOCK',
    registers: [this.registry],
  });

  readonly webhookDuplicates = new Counter({
    name: 'webhook_duplicates_total',
    help: 'Webhook events already applied and answered {duplicate: true}, by source',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly outboxPublished = new Counter({
    name: 'outbox_published_total',
    help: 'Outbox rows published to NATS JetStream',
    registers: [this.registry],
  });

  readonly outboxBacklog = new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox rows not yet published to NATS (refreshed by each relay pass)',
    registers: [this.registry],
  });

  readonly logLinesDropped = new Counter({
    name: 'log_lines_dropped_total',
    help: 'Log lines dropped because stdout did not keep up (the queue waiting for it is bounded)',
    registers: [this.registry],
    collect() {
      // The process's count: its one stdout stream is shared by every app in it.
      this.reset();
      this.inc(droppedLogLines());
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Registers a gauge whose value is read when Prometheus scrapes. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
