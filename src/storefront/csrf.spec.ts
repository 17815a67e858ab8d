import { csrfToken, csrfTokenMatches, isCsrfSecret, newCsrfSecret } from './csrf';

describe('CSRF tokens', () => {
  const key = 'a-server-key-a-server-key-a-server-key';

  it('accepts the token made for the same secret and session', () => {
    const secret = newCsrfSecret();
    expect(isCsrfSecret(secret)).toBe(true);
    expect(csrfTokenMatches(key, secret, 'jti-1', csrfToken(key, secret, 'jti-1'))).toBe(true);
    expect(csrfTokenMatches(key, secret, undefined, csrfToken(key, secret, undefined))).toBe(true);
  });

  it('refuses a token of another secret, session or server key, and anything not a string', () => {
    const secret = newCsrfSecret();
    const token = csrfToken(key, secret, 'jti-1');
    expect(csrfTokenMatches(key, newCsrfSecret(), 'jti-1', token)).toBe(false);
    expect(csrfTokenMatches(key, secret, 'jti-2', token)).toBe(false);
    expect(csrfTokenMatches(key, secret, undefined, token)).toBe(false);
    expect(csrfTokenMatches(`${key}x`, secret, 'jti-1', token)).toBe(false);
    expect(csrfTokenMatches(key, secret, 'jti-1', undefined)).toBe(false);
    expect(csrfTokenMatches(key, secret, 'jti-1', [token])).toBe(false);
    expect(csrfTokenMatches(key, secret, 'jti-1', token.slice(1))).toBe(false);
  });

  it('never hands out a secret twice, across refills of its random pool', () => {
    const secrets = Array.from({ length: 300 }, () => newCsrfSecret());
    expect(secrets.every(isCsrfSecret)).toBe(true);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('takes only secrets it could have made as the cookie', () => {
    expect(isCsrfSecret('short')).toBe(false);
    expect(isCsrfSecret(`${newCsrfSecret().slice(1)}!`)).toBe(false);
  });
});
