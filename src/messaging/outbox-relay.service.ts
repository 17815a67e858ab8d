import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { MetricsService } from '../metrics/metrics.service';
import { NatsConnectionService } from './nats-connection';
import { OutboxRepository, type OutboxRow } from './outbox.repository';

const BATCH_SIZE = 100;
const INTERVAL_MS = 300;
/** Lets a burst of nudges (one per committed order) coalesce into one pass. */
const NUDGE_DELAY_MS = 5;
const MAX_BACKOFF_MS = 5_000;
/**
 * How long a claim of the outbox lasts. A relay stops publishing a batch once half of it
 * has passed, so it never publishes on a lease another instance may already have taken;
 * a relay that died is replaced this long after its last pass, well inside JetStream's
 * 2-minute duplicate window (a row it published but did not mark is dropped as a repeat).
 */
export const LEASE_MS = 10_000;

interface BatchResult {
  published: number;
  /** The batch was full, or cut short by the lease: more rows are probably waiting. */
  more: boolean;
  failure?: Error;
}

/**
 * Publishes the outbox (rows written in the transaction of the change they describe) to NATS JetStream, oldest first.
 *
 * Guarantees:
 * - **At least once, nothing lost.** A row is marked `published_at` only after JetStream
 *   acknowledged it. A crash (or a failed mark) between ack and mark publishes the row
 *   again on a later pass.
 * - **Repeats are dropped.** The JetStream message id is the row id (= event id), so a
 *   re-publish inside the stream's 2-minute duplicate window stores nothing. A row
 *   re-published later than that (the database was down for longer) does reach
 *   consumers twice; they recognise it by `id`.
 * - **In order.** Rows go out in `created_at, id` order, one at a time with the ack
 *   awaited, and a batch stops at the first failure, so a later row never overtakes an
 *   earlier one. One instance publishes at a time: it holds the lease (a row of
 *   `outbox_relay_lease`, taken and renewed for {@link LEASE_MS} in a short statement),
 *   so instances neither publish the same rows at once nor interleave their batches.
 *   (`created_at` is the writing transaction's clock: rows of one transaction go out
 *   in id order, so consumers order one order's events by `seq`.)
 * - **No connection held across network I/O.** A pass claims the lease and reads a
 *   batch, publishes with no transaction open and no connection checked out, then marks
 *   the published rows in one statement: a slow or unreachable NATS never ties up the
 *   pool or row locks that checkouts need.
 *
 * It runs every ~300 ms (never overlapping itself), backs off exponentially up to 5 s
 * while NATS or the database fails, and on shutdown waits for the batch in flight and
 * hands the lease back, so another instance takes over at once.
 * Without `NATS_URL` it does nothing and the rows stay in the outbox.
 *
 * @example
 * // after the transaction that wrote an event commits:
 * relay.nudge();
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OutboxRelay');
  /** This instance's name on the lease. */
  private readonly holder = randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private nextRunAt = 0;
  private running: Promise<void> | null = null;
  private rerun = false;
  private failures = 0;
  private outageLogged = false;
  private stopped = true;

  constructor(
    private readonly nats: NatsConnectionService,
    private readonly outbox: OutboxRepository,
    private readonly metrics: MetricsService,
  ) {}

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
    if (this.nats.configured) {
      await this.releaseLease();
    }
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
    const claimedAt = Date.now();
    const rows = await this.claimBatch();
    if (rows === null) {
      return { published: 0, more: false }; // another instance holds the lease
    }
    const sent: string[] = [];
    let failure: Error | undefined;
    let cutShort = false;
    for (const row of rows) {
      if (Date.now() - claimedAt > LEASE_MS / 2) {
        cutShort = true; // the rest waits for the next pass, under a renewed lease
        break;
      }
      try {
        await js.publish(row.subject, Buffer.from(JSON.stringify(row.payload)), { msgID: row.id });
        sent.push(row.id);
      } catch (error) {
        failure = error as Error;
        await this.recordFailure(row.id, failure);
        break; // a later row must not overtake this one
      }
    }
    if (sent.length > 0) {
      await this.outbox.markPublished(sent);
      this.metrics.outboxPublished.inc(sent.length);
    }
    return { published: sent.length, more: cutShort || rows.length === BATCH_SIZE, failure };
  }

  /**
   * Takes (or renews) the lease and reads the oldest unpublished rows, in one statement
   * (one implicit transaction, no lock left behind); `null` when another live holder has it.
   */
  private async claimBatch(): Promise<OutboxRow[] | null> {
    const rows = await this.outbox.claimBatch(this.holder, LEASE_MS, BATCH_SIZE);
    if (rows.length > 0) {
      return rows;
    }
    // No rows: either nothing to publish or no lease; only the first is worth a pass.
    return (await this.outbox.holdsLease(this.holder)) ? [] : null;
  }

  /** Hands the lease back on shutdown, so another instance need not wait for it to expire. */
  private async releaseLease(): Promise<void> {
    try {
      await this.outbox.releaseLease(this.holder);
    } catch {
      // the database is going away too: the lease expires by itself
    }
  }

  private async recordFailure(id: string, error: Error): Promise<void> {
    await this.outbox.recordFailure(id, error.message.slice(0, 1_000));
  }

  private async refreshBacklog(): Promise<void> {
    try {
      this.metrics.outboxBacklog.set(await this.outbox.backlog());
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
