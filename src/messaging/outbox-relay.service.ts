import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { MetricsService } from '../metrics/metrics.service';
import { NatsConnectionService } from './nats-connection';

const BATCH_SIZE = 100;
const INTERVAL_MS = 300;
/** Lets a burst of nudges (one per committed order) coalesce into one pass. */
const NUDGE_DELAY_MS = 5;
const MAX_BACKOFF_MS = 5_000;
/**
 * Any constant shared by every instance ("mall" in ASCII). Holding it makes one relay at a
 * time publish, so a backlog leaves in created_at order even with several workers.
 */
const RELAY_LOCK = 0x6d616c6c;

interface OutboxRow {
  id: string;
  subject: string;
  payload: Record<string, unknown>;
}

interface BatchResult {
  published: number;
  /** The batch was full: more rows are probably waiting. */
  more: boolean;
  failure?: Error;
}

/**
 * Publishes the outbox (rows written by `writeToOutbox` in the transaction of the change
 * they describe) to NATS JetStream, oldest first.
 *
 * Guarantees:
 * - **At least once, nothing lost.** A row is marked `published_at` only in the
 *   transaction that published it, after JetStream acknowledged it. A crash (or failed
 *   commit) between ack and mark publishes the row again on the next pass.
 * - **Repeats are dropped.** The JetStream message id is the row id (= event id), so a
 *   re-publish inside the stream's 2-minute duplicate window stores nothing. A row
 *   re-published later than that (the database was down for longer) does reach
 *   consumers twice; they recognise it by `id`.
 * - **In order.** Rows go out in `created_at, id` order, one at a time with the ack
 *   awaited, and a batch stops at the first failure, so a later row never overtakes an
 *   earlier one. Rows are locked `FOR UPDATE SKIP LOCKED` and a transaction-scoped
 *   advisory lock lets one instance publish at a time, so instances neither publish the
 *   same row at once nor interleave their batches. (`created_at` is the writing
 *   transaction's start time: rows of one transaction go out in id order, so consumers
 *   order one order's events by `seq`.)
 *
 * It runs every ~300 ms (never overlapping itself), backs off exponentially up to 5 s
 * while NATS or the database fails, and on shutdown waits for the batch in flight.
 * Without `NATS_URL` it does nothing and the rows stay in the outbox.
 *
 * @example
 * // after the transaction that wrote an event commits:
 * relay.nudge();
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OutboxRelay');
  private readonly publishedTotal?: Counter;
  private backlog = 0;
  private timer: NodeJS.Timeout | null = null;
  private nextRunAt = 0;
  private running: Promise<void> | null = null;
  private rerun = false;
  private failures = 0;
  private outageLogged = false;
  private stopped = true;

  constructor(
    private readonly nats: NatsConnectionService,
    private readonly transactions: TransactionRunner,
    private readonly dataSource: DataSource,
    metrics: MetricsService,
  ) {
    if (!nats.configured) {
      return;
    }
    this.publishedTotal = new Counter({
      name: 'outbox_published_total',
      help: 'Outbox rows published to NATS JetStream',
      registers: [metrics.registry],
    });
    metrics.gauge('outbox_backlog', 'Outbox rows not yet published to NATS', () => this.backlog);
  }

  /** Starts after every module's init, i.e. after the migrations that create the outbox. */
  onApplicationBootstrap(): void {
    if (!this.nats.configured) {
      return;
    }
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a pass soon. Cheap: it only moves a timer forward, and does nothing while backing off. */
  nudge(): void {
    if (this.running) {
      this.rerun = true;
    } else if (this.failures === 0) {
      this.schedule(NUDGE_DELAY_MS);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.running;
  }

  private schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.stopped || (this.timer && this.nextRunAt <= at)) {
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.nextRunAt = at;
    // unref: a pending pass never keeps the process alive on its own.
    this.timer = setTimeout(() => this.startPass(), delayMs).unref();
  }

  private startPass(): void {
    this.timer = null;
    this.running = this.pass();
  }

  /** One batch and its follow-up; never rejects. */
  private async pass(): Promise<void> {
    this.rerun = false;
    let result: BatchResult;
    try {
      result = await this.publishBatch();
    } catch (error) {
      result = { published: 0, more: false, failure: error as Error };
    }
    await this.refreshBacklog();
    const delay = this.nextDelay(result);
    // Cleared before scheduling, in the same tick, so no nudge falls between the two.
    this.running = null;
    this.schedule(delay);
  }

  /** Exponential backoff while passes fail; logs once per outage. */
  private nextDelay({ more, failure }: BatchResult): number {
    if (!failure) {
      if (this.outageLogged) {
        this.logger.log('Publishing the outbox to NATS again');
      }
      this.failures = 0;
      this.outageLogged = false;
      return more || this.rerun ? 0 : INTERVAL_MS;
    }
    // NATS being away is logged by its connection; anything else is news.
    if (!(failure instanceof NatsUnavailableError) && !this.outageLogged) {
      this.outageLogged = true;
      this.logger.warn(`Cannot publish the outbox, retrying with backoff: ${failure.message}`);
    }
    this.failures++;
    return Math.min(INTERVAL_MS * 2 ** this.failures, MAX_BACKOFF_MS);
  }

  private async publishBatch(): Promise<BatchResult> {
    const js = await this.nats.jetstream();
    if (!js) {
      throw new NatsUnavailableError();
    }
    const result = await this.transactions.run(async (manager): Promise<BatchResult> => {
      const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [RELAY_LOCK]);
      if (!locked) {
        return { published: 0, more: false }; // another instance is publishing
      }
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, subject, payload FROM outbox WHERE published_at IS NULL
         ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      );
      const sent: string[] = [];
      let failure: Error | undefined;
      for (const row of rows) {
        try {
          await js.publish(row.subject, Buffer.from(JSON.stringify(row.payload)), { msgID: row.id });
          sent.push(row.id);
        } catch (error) {
          failure = error as Error;
          await recordFailure(manager, row.id, failure);
          break; // a later row must not overtake this one
        }
      }
      if (sent.length > 0) {
        await manager.query(
          `UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])`,
          [sent],
        );
      }
      return { published: sent.length, more: rows.length === BATCH_SIZE, failure };
    });
    this.publishedTotal?.inc(result.published); // counted once committed
    return result;
  }

  /** One indexed count (outbox_unpublished_idx covers only unpublished rows). */
  private async refreshBacklog(): Promise<void> {
    try {
      const [{ count }] = await this.dataSource.query(
        `SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL`,
      );
      this.backlog = count;
    } catch {
      // keep the last known value; the failing pass has already been logged
    }
  }
}

class NatsUnavailableError extends Error {
  constructor() {
    super('NATS is not connected');
  }
}

async function recordFailure(manager: EntityManager, id: string, error: Error): Promise<void> {
  await manager.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
    id,
    error.message.slice(0, 1_000),
  ]);
}
