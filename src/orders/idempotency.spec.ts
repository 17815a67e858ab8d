import { InvalidIdempotencyKeyError, parseIdempotencyKey, requestFingerprint } from './idempotency';

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
