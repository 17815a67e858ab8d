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
