/**
 * The INSERT that records each row of `messages` (SQL naming a relation with the columns
 * id, subject and payload) in the outbox. Used as a data-modifying CTE, it writes a
 * message in the same statement as the change it announces (see `OrderHistory`).
 */
export function insertIntoOutbox(messages: string): string {
  // clock_timestamp(), not now(): a transaction that waited for an order's row lock writes
  // after the one it waited for, so the relay's created_at order is each order's event order.
  return `INSERT INTO outbox (id, subject, payload, created_at)
    SELECT id, subject, payload, clock_timestamp() FROM ${messages}`;
}

/**
 * SQL rendering the timestamptz `timestamp` as `Date#toISOString()` renders the value
 * node-postgres reads for it (UTC, milliseconds, e.g. `2026-11-23T22:15:30.482Z`): message
 * payloads built in SQL carry times in the same format as those built in JS.
 */
export function isoTimestamp(timestamp: string): string {
  // The colons are quoted literal text like "T" and "Z": the same output, and pgbench (which
  // reads `:MI` as a variable) can run this SQL as the service sends it (bench/checkout.pgbench.sql).
  return `to_char(${timestamp} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"')`;
}
