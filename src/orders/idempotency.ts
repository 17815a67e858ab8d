import { createHash } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error';

/** Keys are kept (and answers replayed) this long. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request body');
  }
}

export class IdempotencyKeyInFlightError extends DomainError {
  constructor() {
    super(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed');
  }
}

export class InvalidIdempotencyKeyError extends DomainError {
  constructor() {
    super(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1–255 characters');
  }
}

/** JSON with object keys sorted at every depth, so `{a,b}` and `{b,a}` read the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What identifies "the same request" for an idempotency key: a hash of the body's meaning, not its bytes. */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(body ?? {}))
    .digest('hex');
}

/** Validates the optional `Idempotency-Key` header. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) {
    return undefined;
  }
  if (typeof header !== 'string' || header.length < 1 || header.length > 255) {
    throw new InvalidIdempotencyKeyError();
  }
  return header;
}
