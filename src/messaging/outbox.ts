import type { EntityManager } from 'typeorm';

/** A message to publish once the transaction that wrote it commits. */
export interface OutboxMessage {
  /** Also the JetStream message id, so a repeated publish is dropped as a duplicate. */
  id: string;
  subject: string;
  payload: Record<string, unknown>;
}

/**
 * Records `message` in the outbox through `manager`, i.e. inside the caller's
 * transaction: it is published if and only if that transaction commits.
 */
export async function writeToOutbox(manager: EntityManager, message: OutboxMessage): Promise<void> {
  // clock_timestamp(), not now(): a transaction that waited for an order's row lock writes
  // after the one it waited for, so the relay's created_at order is each order's event order.
  await manager.query(`INSERT INTO outbox (id, subject, payload, created_at) VALUES ($1, $2, $3, clock_timestamp())`, [
    message.id,
    message.subject,
    JSON.stringify(message.payload),
  ]);
}
