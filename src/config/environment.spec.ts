import { EnvironmentError, validateEnvironment } from './environment';

function problemsOf(raw: Record<string, unknown>): string {
  try {
    validateEnvironment(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('validateEnvironment', () => {
  it('applies the documented defaults to an empty environment', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 8080,
      BODY_LIMIT: '100kb',
      MAX_HEADER_BYTES: 16_384,
      RATE_LIMIT_PER_MINUTE: 600,
      LOGIN_MAX_FAILURES: 10,
      JWT_TTL: 86_400,
      MIGRATIONS_RUN: true,
      PAYMENT_TIMEOUT_SECONDS: 900,
      WORKERS: 1,
      LOG_LEVEL: 'info',
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.JWT_SECRET).toBeUndefined();
  });

  it('treats empty strings as unset', () => {
    expect(validateEnvironment({ PORT: '', JWT_TTL: '' })).toMatchObject({ PORT: 8080, JWT_TTL: 86_400 });
  });

  it('converts numeric and boolean strings', () => {
    const env = validateEnvironment({
      PORT: '3000',
      JWT_TTL: ' 3600 ',
      RATE_LIMIT_PER_MINUTE: '0',
      MIGRATIONS_RUN: 'off',
      SEED_DEMO: 'YES',
    });
    expect(env.PORT).toBe(3000);
    expect(env.JWT_TTL).toBe(3600);
    expect(env.RATE_LIMIT_PER_MINUTE).toBe(0);
    expect(env.MIGRATIONS_RUN).toBe(false);
    expect(env.SEED_DEMO).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['BODY_LIMIT', 'lots'],
    ['LOG_LEVEL', 'loud'],
    ['MIGRATIONS_RUN', 'maybe'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://cache'],
    ['NODE_ENV', 'staging'],
    ['JWT_TTL', '59'],
    ['WORKERS', '0'],
    ['CORS_ORIGINS', 'shop.example.com'],
    ['CORS_ORIGINS', 'https://shop.example.com/'],
    ['CORS_ORIGINS', 'https://shop.example.com/app'],
    ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'https://a.example.com,,https://b.example.com'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['TRUST_PROXY', 'nginx'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', 'loopback,'],
    ['TRUST_PROXY', '-1'],
    ['AUTH_RATE_LIMIT_PER_MINUTE', '-1'],
    ['AUTH_RATE_LIMIT_PER_MINUTE', 'lots'],
    ['METRICS_TOKEN', 'short'],
    ['METRICS_TOKEN', 'has spaces in it, sixteen+'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    const message = problemsOf({ [name]: value });
    expect(message).toContain(`${name}:`);
  });

  it('accepts valid database and redis URLs', () => {
    const env = validateEnvironment({ DATABASE_URL: 'postgres://db:5432/mall', REDIS_URL: 'redis://cache:6379' });
    expect(env.DATABASE_URL).toBe('postgres://db:5432/mall');
    expect(env.REDIS_URL).toBe('redis://cache:6379');
  });

  it('defaults TRUST_PROXY to none, AUTH_RATE_LIMIT_PER_MINUTE to 30 and METRICS_TOKEN to unset', () => {
    const env = validateEnvironment({});
    expect(env.TRUST_PROXY).toBeUndefined();
    expect(env.AUTH_RATE_LIMIT_PER_MINUTE).toBe(30);
    expect(env.METRICS_TOKEN).toBeUndefined();
  });

  it.each(['1', '2', 'loopback', '10.0.0.0/8, 172.16.0.0/12', 'loopback,::1,fd00::/8', 'uniquelocal'])(
    'accepts TRUST_PROXY=%s',
    (value) => {
      expect(validateEnvironment({ TRUST_PROXY: value }).TRUST_PROXY).toBe(value);
    },
  );

  it('accepts comma-separated CORS origins, with ports and spaces', () => {
    const env = validateEnvironment({ CORS_ORIGINS: 'https://shop.example.com, http://localhost:3000' });
    expect(env.CORS_ORIGINS).toBe('https://shop.example.com, http://localhost:3000');
  });

  describe('in production', () => {
    const production = { NODE_ENV: 'production', WEBHOOK_SECRET: 'w'.repeat(16) };

    it('requires JWT_SECRET', () => {
      expect(problemsOf(production)).toContain('JWT_SECRET:');
    });

    it('refuses a JWT_SECRET shorter than 32 characters', () => {
      expect(problemsOf({ ...production, JWT_SECRET: 's'.repeat(31) })).toContain('JWT_SECRET:');
    });

    it('accepts a 32-character JWT_SECRET', () => {
      expect(validateEnvironment({ ...production, JWT_SECRET: 's'.repeat(32) }).JWT_SECRET).toBe('s'.repeat(32));
    });
  });

  it('does not require JWT_SECRET outside production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'development' })).not.toThrow();
  });

  it('refuses ADMIN_EMAIL without ADMIN_PASSWORD', () => {
    expect(problemsOf({ ADMIN_EMAIL: 'admin@example.com' })).toContain('ADMIN_PASSWORD:');
  });

  it('accepts ADMIN_EMAIL together with ADMIN_PASSWORD', () => {
    const env = validateEnvironment({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'long-enough' });
    expect(env.ADMIN_EMAIL).toBe('admin@example.com');
  });

  it('refuses WORKERS=2 without DATABASE_URL and REDIS_URL', () => {
    expect(problemsOf({ WORKERS: '2' })).toContain('WORKERS:');
    expect(problemsOf({ WORKERS: '2', DATABASE_URL: 'postgres://db/mall' })).toContain('WORKERS:');
  });

  it('accepts WORKERS=2 with DATABASE_URL and REDIS_URL', () => {
    const env = validateEnvironment({ WORKERS: '2', DATABASE_URL: 'postgres://db/mall', REDIS_URL: 'redis://cache' });
    expect(env.WORKERS).toBe(2);
  });

  it('names every bad variable in one message', () => {
    const message = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', NODE_ENV: 'staging' });
    expect(message).toContain('PORT:');
    expect(message).toContain('LOG_LEVEL:');
    expect(message).toContain('NODE_ENV:');
  });

  it('ignores variables it does not read, whatever their value (HTTP_ADAPTER among them: Express only)', () => {
    expect(validateEnvironment({ HTTP_ADAPTER: 'koa', SOMETHING_ELSE: 'x' })).toMatchObject({ PORT: 8080 });
  });
});
