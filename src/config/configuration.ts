import type { ConfigService } from '@nestjs/config';
import { Environment, validateEnvironment } from './environment';

const DEV_JWT_SECRET = 'development-only-jwt-secret-change-me-please';
const DEV_WEBHOOK_SECRET = 'development-only-webhook-secret';

/** The validated environment, grouped by concern. Read it through {@link AppConfigService}. */
export function buildConfiguration(env: Environment) {
  const embedded = !env.DATABASE_URL;
  return {
    app: {
      production: env.NODE_ENV === 'production',
      workers: env.WORKERS,
      seedDemo: env.SEED_DEMO ?? embedded,
      logLevel: env.LOG_LEVEL,
      otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    },
    http: {
      port: env.PORT,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      maxHeaderBytes: env.MAX_HEADER_BYTES,
      maxUrlBytes: env.MAX_URL_BYTES,
      bodyLimitBytes: sizeInBytes(env.BODY_LIMIT),
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      /** Per client on login and register, on top of the general budget; 0: off. */
      authRateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE,
      /** Uncached list loads running at once per client on an instance; 0: no limit. */
      listLoadsPerClient: env.LIST_LOADS_PER_CLIENT,
      /** `TRUST_PROXY` as given (compiled by `compileProxyTrust`); unset: the TCP peer is the client. */
      trustProxy: env.TRUST_PROXY,
      /** Set: `/metrics` answers only `Authorization: Bearer <metricsToken>`. */
      metricsToken: env.METRICS_TOKEN,
      /** Empty: CORS off. */
      corsOrigins: (env.CORS_ORIGINS ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    },
    database: {
      url: env.DATABASE_URL,
      embedded,
      dataDir: env.DATA_DIR,
      poolMax: env.DB_POOL_MAX,
      poolIdleMs: env.DB_POOL_IDLE_MS,
      connMaxLifetimeS: env.DB_CONN_MAX_LIFETIME_S,
      acquireTimeoutMs: env.DB_ACQUIRE_TIMEOUT_MS,
      /** statement_timeout of a list's statement (not applied on the embedded database, which cannot cancel one). */
      listStatementTimeoutMs: env.LIST_STATEMENT_TIMEOUT_MS,
      migrationsRun: env.MIGRATIONS_RUN,
    },
    redis: {
      url: env.REDIS_URL,
      keyPrefix: env.REDIS_KEY_PREFIX,
    },
    nats: {
      url: env.NATS_URL,
    },
    auth: {
      jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      jwtTtlSeconds: env.JWT_TTL,
      adminEmail: env.ADMIN_EMAIL,
      adminPassword: env.ADMIN_PASSWORD,
      loginMaxFailures: env.LOGIN_MAX_FAILURES,
    },
    orders: {
      webhookSecret: env.WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
      paymentTimeoutSeconds: env.PAYMENT_TIMEOUT_SECONDS,
    },
  };
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 * 1024 };

/** `100kb` → 102400, as body-parser reads sizes (the environment check allows b, kb and mb). */
function sizeInBytes(size: string): number {
  const [, amount, unit] = /^(\d+)([a-z]*)$/i.exec(size)!;
  return Number(amount) * SIZE_UNITS[unit.toLowerCase()];
}

export type AppConfig = ReturnType<typeof buildConfiguration>;

/** `ConfigService` typed over {@link AppConfig}: `config.get('http', { infer: true }).port`. */
export type AppConfigService = ConfigService<AppConfig, true>;

/**
 * Validates `raw` (the process environment, or a test's own settings) and groups it by
 * concern: the one place configuration is read. `main.ts` calls it once at start and
 * passes the result on; nothing else reads `process.env`.
 *
 * @throws {EnvironmentError} naming every bad variable
 * @example
 * const config = loadConfiguration(process.env);
 * const app = await createApp(config);
 */
export const loadConfiguration = (raw: Record<string, string | undefined>): AppConfig =>
  buildConfiguration(validateEnvironment(raw));
