import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// OWASP's scrypt floor (N=2^17 is its stronger option; 2^15 keeps a login quick on a small core).
const PARAMS = { N: 32_768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 64;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/**
 * A self-describing salted scrypt hash of the NFC form of `password`:
 * `scrypt$N$r$p$salt$key` (base64). NFC, so `é` typed as one code point or as `e` plus a
 * combining accent (keyboards and platforms differ) is the same password.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password.normalize('NFC'), salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export interface PasswordCheck {
  valid: boolean;
  /** The stored hash was made from an un-normalised form: store {@link hashPassword}'s instead. */
  rehash: boolean;
}

/**
 * Checks `password` against a stored hash: its NFC form first. Hashes stored before
 * passwords were normalised were made from the bytes as typed, so a non-NFC input that
 * fails is tried once more as typed; when that matches, the caller rehashes (lazily
 * migrating that account on its next successful login).
 */
export async function checkPassword(password: string, stored: string): Promise<PasswordCheck> {
  const normalized = password.normalize('NFC');
  if (await verifyPassword(normalized, stored)) {
    return { valid: true, rehash: false };
  }
  if (normalized !== password && (await verifyPassword(password, stored))) {
    return { valid: true, rehash: true };
  }
  return { valid: false, rehash: false };
}

/**
 * Compares `password`, exactly as given, in constant time. A malformed stored hash, or one whose cost parameters are
 * out of bounds (which could make scrypt allocate without limit), simply does not match.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  const cost = { N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem };
  if (scheme !== 'scrypt' || !salt || !key || !withinBounds(cost)) {
    return false;
  }
  const expected = Buffer.from(key, 'base64');
  try {
    const actual = await derive(password, Buffer.from(salt, 'base64'), cost);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

function withinBounds({ N, r, p }: { N: number; r: number; p: number }): boolean {
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  return (
    powerOfTwo && N <= 1 << 20 && Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16
  );
}
