import { createHmac, randomFillSync, timingSafeEqual, type KeyObject } from 'node:crypto';

const SECRET_BYTES = 32;
/**
 * A new visitor's secret comes from bytes drawn from the CSPRNG 128 secrets at a time, each
 * byte used once (Node's `randomUUID` pools the same way): a call to the CSPRNG has a fixed
 * cost whatever its size, and every anonymous visitor's first page needs a secret, so one
 * call per visitor would weigh on the cheapest page there is, a cached one.
 */
const RANDOM_POOL = Buffer.alloc(SECRET_BYTES * 128);
let drawn = RANDOM_POOL.length;

/**
 * CSRF tokens as a signed double-submit cookie (OWASP's "signed double-submit cookie"
 * pattern): the browser holds a random secret in an HttpOnly cookie, and each form
 * carries HMAC(server key, secret + session). Another site can make the browser send the
 * cookie, but can neither read it nor compute the token. Binding the session's token id
 * (`jti`) in makes a token die with its session: forms rendered before a login or a
 * logout are refused after it.
 */
export function newCsrfSecret(): string {
  if (drawn === RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    drawn = 0;
  }
  const secret = RANDOM_POOL.toString('base64url', drawn, drawn + SECRET_BYTES);
  drawn += SECRET_BYTES;
  return secret;
}

const SANE_SECRET = /^[A-Za-z0-9_-]{43}$/;

export function isCsrfSecret(value: unknown): value is string {
  return typeof value === 'string' && SANE_SECRET.test(value);
}

export function csrfToken(key: string | Buffer | KeyObject, secret: string, sessionId: string | undefined): string {
  return createHmac('sha256', key)
    .update(`${secret}.${sessionId ?? ''}`)
    .digest('base64url');
}

export function csrfTokenMatches(
  key: string | Buffer | KeyObject,
  secret: string,
  sessionId: string | undefined,
  presented: unknown,
): boolean {
  if (typeof presented !== 'string') {
    return false;
  }
  const expected = Buffer.from(csrfToken(key, secret, sessionId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
