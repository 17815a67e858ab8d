import { randomInt } from 'node:crypto';

/**
 * A human-facing order number: the UTC date and time to the second, then six random
 * digits (`20261123221530` + `482913`). Sortable by time; the database keeps it unique.
 */
export function newOrderSn(now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `${stamp}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}
