import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NamedSql } from '../database/named-sql';

/** An outbox message as the relay publishes it. */
export interface OutboxRow {
  id: string;
  subject: string;
  payload: Record<string, unknown>;
}

/**
 * Takes (or renews) the lease for `:leaseMs` and reads the oldest unpublished rows, in one
 * statement (one implicit transaction, no lock left behind); no row when another live
 * holder has the lease.
 */
const CLAIM_BATCH = new NamedSql<{ holder: string; leaseMs: number; batchSize: number }>(
  `WITH lease AS (
     UPDATE outbox_relay_lease
     SET holder = :holder, expires_at = clock_timestamp() + make_interval(secs => :leaseMs::float8 / 1000)
     WHERE id = 1 AND (holder = :holder OR expires_at < clock_timestamp())
     RETURNING 1
   )
   SELECT id, subject, payload FROM outbox
   WHERE published_at IS NULL AND EXISTS (SELECT 1 FROM lease)
   ORDER BY created_at, id LIMIT :batchSize`,
);

const HOLDS_LEASE = new NamedSql<{ holder: string }>(
  `SELECT holder = :holder AS mine FROM outbox_relay_lease WHERE id = 1`,
);

/** Hands the lease back: the next claimant takes it at once instead of waiting for it to expire. */
const RELEASE_LEASE = new NamedSql<{ holder: string }>(
  `UPDATE outbox_relay_lease SET expires_at = '-infinity' WHERE id = 1 AND holder = :holder`,
);

const MARK_PUBLISHED = new NamedSql<{ ids: string[] }>(
  `UPDATE outbox SET published_at = now(), attempts = attempts + 1
   WHERE id = ANY(:ids::uuid[]) AND published_at IS NULL`,
);

const RECORD_FAILURE = new NamedSql<{ id: string; error: string }>(
  `UPDATE outbox SET attempts = attempts + 1, last_error = :error WHERE id = :id`,
);

/** One indexed count (outbox_unpublished_idx covers only unpublished rows). */
const BACKLOG = new NamedSql<Record<string, never>>(
  `SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL`,
);

/**
 * The relay's statements on the outbox and its lease, each visible here as the SQL it
 * is; each runs on its own, outside any transaction. (An order event's message is
 * written in the event's own statement, by `OrdersRepository`.)
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The oldest unpublished rows under a lease taken or renewed for `leaseMs`; `[]` also when the lease is another's. */
  claimBatch(holder: string, leaseMs: number, batchSize: number): Promise<OutboxRow[]> {
    return CLAIM_BATCH.run<OutboxRow>(this.dataSource.manager, { holder, leaseMs, batchSize });
  }

  async holdsLease(holder: string): Promise<boolean> {
    const [held] = await HOLDS_LEASE.run<{ mine: boolean }>(this.dataSource.manager, { holder });
    return held?.mine ?? false;
  }

  async releaseLease(holder: string): Promise<void> {
    await RELEASE_LEASE.run(this.dataSource.manager, { holder });
  }

  async markPublished(ids: string[]): Promise<void> {
    await MARK_PUBLISHED.run(this.dataSource.manager, { ids });
  }

  async recordFailure(id: string, error: string): Promise<void> {
    await RECORD_FAILURE.run(this.dataSource.manager, { id, error });
  }

  /** How many rows wait to be published. */
  async backlog(): Promise<number> {
    const [{ count }] = await BACKLOG.run<{ count: number }>(this.dataSource.manager, {});
    return count;
  }
}
