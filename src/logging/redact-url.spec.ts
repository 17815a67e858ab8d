import { logTarget, MAX_LOGGED_TARGET, redactUrl } from './redact-url';

describe('redactUrl', () => {
  it.each([
    ['/v1/products?token=abc', '/v1/products?token=[redacted]'],
    ['/v1/products?page=2&access_token=eyJ.x.y&q=lamp', '/v1/products?page=2&access_token=[redacted]&q=lamp'],
    [
      '/v1/x?Password=hunter2&currentPassword=a&api_key=k',
      '/v1/x?Password=[redacted]&currentPassword=[redacted]&api_key=[redacted]',
    ],
    ['/v1/x?%74oken=abc', '/v1/x?%74oken=[redacted]'],
    ['/v1/x?token', '/v1/x?token=[redacted]'],
    ['/v1/x?%E0%A4%A=1&jwt_token=2', '/v1/x?%E0%A4%A=1&jwt_token=[redacted]'],
  ])('redacts %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it.each(['/v1/products', '/v1/products?page=2&q=token', '/v1/products?', undefined])('keeps %s', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});

describe('logTarget', () => {
  it('keeps a target up to the bound whole, redacted', () => {
    const url = `/v1/products?token=abc&q=${'a'.repeat(MAX_LOGGED_TARGET - 60)}`;
    expect(logTarget(url)).toBe(redactUrl(url));
  });

  it('cuts a longer target to the bound and says how long it was, after redacting', () => {
    const url = `/v1/products?token=secret-value&q=${'a'.repeat(10_000)}`;
    const logged = logTarget(url)!;
    expect(logged.length).toBeLessThan(MAX_LOGGED_TARGET + 40);
    expect(logged).toContain('token=[redacted]');
    expect(logged).not.toContain('secret-value');
    expect(logged.endsWith(`…[${redactUrl(url)!.length} characters]`)).toBe(true);
  });
});
