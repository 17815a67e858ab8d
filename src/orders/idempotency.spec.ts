import {
  DomainError,
  ServiceUnavailableError,
  TooManyRequestsError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import { InsufficientStockError } from '../products/products.errors';
import {
  failureAnswer,
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
  isStorableFailure,
  parseIdempotencyKey,
  requestFingerprint,
} from './idempotency';

describe('idempotency fingerprint', () => {
  it('is the same for bodies that differ only in key order', () => {
    expect(requestFingerprint({ items: [{ productId: 1, quantity: 2 }] })).toBe(
      requestFingerprint({ items: [{ quantity: 2, productId: 1 }] }),
    );
  });

  it('differs when a value, the line order or the shape differs', () => {
    const base = requestFingerprint({ items: [{ productId: 1, quantity: 2 }] });
    expect(requestFingerprint({ items: [{ productId: 1, quantity: 3 }] })).not.toBe(base);
    expect(
      requestFingerprint({
        items: [
          { productId: 1, quantity: 2 },
          { productId: 2, quantity: 1 },
        ],
      }),
    ).not.toBe(
      requestFingerprint({
        items: [
          { productId: 2, quantity: 1 },
          { productId: 1, quantity: 2 },
        ],
      }),
    );
    expect(requestFingerprint({})).not.toBe(base);
  });

  it('treats a missing body like an empty one, and is a sha256 hex digest', () => {
    expect(requestFingerprint(undefined)).toBe(requestFingerprint({}));
    expect(requestFingerprint({})).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts keys of 1–255 characters and refuses others', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('a')).toBe('a');
    expect(parseIdempotencyKey('k'.repeat(255))).toBe('k'.repeat(255));
    expect(() => parseIdempotencyKey('')).toThrow(InvalidIdempotencyKeyError);
    expect(() => parseIdempotencyKey('k'.repeat(256))).toThrow(InvalidIdempotencyKeyError);
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(InvalidIdempotencyKeyError);
  });
});

describe('stored failures', () => {
  it('stores the 4xx a write decided, not 5xx, 429, in-flight, reused or plain errors', () => {
    expect(isStorableFailure(new InsufficientStockError(3))).toBe(true);
    expect(isStorableFailure(new DomainError(404, 'PRODUCT_NOT_FOUND', 'gone'))).toBe(true);
    expect(isStorableFailure(new ServiceUnavailableError('DATABASE_UNAVAILABLE', 'down'))).toBe(false);
    expect(isStorableFailure(new TooManyRequestsError('RATE_LIMITED', 'slow down', 1))).toBe(false);
    expect(isStorableFailure(new IdempotencyKeyInFlightError())).toBe(false);
    expect(isStorableFailure(new IdempotencyKeyReusedError())).toBe(false);
    expect(isStorableFailure(new Error('bug'))).toBe(false);
  });

  it('renders the contract error body once, with the request id and any details', () => {
    expect(failureAnswer(new InsufficientStockError(3), 'req-7')).toEqual({
      status: 409,
      json: expect.stringMatching(
        /^\{"statusCode":409,"error":"Conflict","code":"INSUFFICIENT_STOCK","message":".*","requestId":"req-7"\}$/,
      ),
      headers: {},
    });
    const invalid = failureAnswer(new ValidationFailedError([{ field: 'items', message: 'too many' }]), 'r');
    expect(JSON.parse(invalid.json)).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'items', message: 'too many' }],
    });
  });
});
