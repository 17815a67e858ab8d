import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { NamedSql } from '../../database/named-sql';

/** Who sent a provider event. */
export type WebhookSource = 'payments' | 'logistics';

/** Records an event as applied; a repeat violates `webhook_inbox_pkey`. */
const RECORD = new NamedSql<{ source: WebhookSource; eventId: string; orderId: number }>(
  `INSERT INTO webhook_inbox (source, event_id, order_id) VALUES (:source, :eventId, :orderId)`,
);

const SEEN = new NamedSql<{ source: WebhookSource; eventId: string }>(
  `SELECT 1 FROM webhook_inbox WHERE source = :source AND event_id = :eventId`,
);

/**
 * The inbox of provider events already applied (`webhook_inbox`), each statement visible
 * here as the SQL it is. An event is recorded in the transaction of the change it causes;
 * whether one was seen is asked outside any transaction.
 */
@Injectable()
export class WebhookInboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, source: WebhookSource, eventId: string, orderId: number): Promise<void> {
    await RECORD.run(manager, { source, eventId, orderId });
  }

  async seen(source: WebhookSource, eventId: string): Promise<boolean> {
    return (await SEEN.run(this.dataSource.manager, { source, eventId })).length > 0;
  }
}
