import { createHash } from 'node:crypto';
import { DomainError, ValidationFailedError } from '../common/errors/domain-error';
import { errorBody } from '../common/errors/error-body';

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

/**
 * An answer as it is stored and sent: the status, the JSON text of the body exactly as
 * the first request was answered (a replay writes these bytes back, it does not
 * re-serialise), and the headers that go with it.
 */
export interface StoredAnswer {
  status: number;
  json: string;
  headers: Record<string, string>;
}

/**
 * Whether a request that failed with `error` is answered the same way on every retry
 * with its key (API.md: a 4xx such as 409 INSUFFICIENT_STOCK is replayed; 5xx, 429 and
 * 409 IDEMPOTENCY_KEY_IN_FLIGHT are not stored, so a retry runs again). Only errors the
 * write itself decided count: a request refused before it ran (validation, auth, a bad
 * key) never reaches the store, and its key stays free.
 */
export function isStorableFailure(error: unknown): error is DomainError {
  return (
    error instanceof DomainError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 429 &&
    !(error instanceof IdempotencyKeyInFlightError) &&
    !(error instanceof IdempotencyKeyReusedError)
  );
}

/**
 * The contract's error body for `error`, as the exception filter would write it. The
 * request id inside is this request's, and a replay repeats it: the stored answer is the
 * first request's, byte for byte.
 */
export function failureAnswer(error: DomainError, requestId: string): StoredAnswer {
  const details = error instanceof ValidationFailedError ? error.details : undefined;
  return {
    status: error.status,
    json: JSON.stringify(errorBody(error.status, error.code, error.message, requestId, details)),
    headers: error.headers,
  };
}
