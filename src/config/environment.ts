import { plainToInstance, Transform } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  Validate,
} from 'class-validator';
import { compileProxyTrust } from './proxy-trust';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') {
    return value;
  }
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) {
    return true;
  }
  if (['false', '0', 'no', 'off'].includes(normalized)) {
    return false;
  }
  return value;
};
const urlOptions = { require_tld: false, require_protocol: true };
/** A browser `Origin`: scheme, host and optional port, no path and no trailing slash. */
const ORIGIN = String.raw`https?://(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?`;

/** `TRUST_PROXY`: whatever {@link compileProxyTrust} compiles, so the check and the use cannot disagree. */
@ValidatorConstraint({ name: 'trustProxy' })
class IsProxyTrust implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') {
      return false;
    }
    try {
      compileProxyTrust(value);
      return true;
    } catch {
      return false;
    }
  }

  defaultMessage({ value }: ValidationArguments): string {
    return `TRUST_PROXY must be a hop count, or comma-separated addresses / CIDRs / loopback, linklocal, uniquelocal (got ${JSON.stringify(value)})`;
  }
}

/**
 * Every environment variable the service reads, with its default. Validated once at
 * start-up: a bad value stops the process with a message naming the variable.
 */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8080;

  @IsOptional()
  @IsUrl({ ...urlOptions, protocols: ['postgres', 'postgresql'] })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = '.data';

  @IsOptional()
  @IsUrl({ ...urlOptions, protocols: ['redis', 'rediss'] })
  REDIS_URL?: string;

  /** Namespaces every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  @Matches(/^[A-Za-z0-9:._-]{0,64}$/)
  REDIS_KEY_PREFIX = 'mall:';

  @IsOptional()
  @IsUrl({ ...urlOptions, protocols: ['nats', 'tls'] })
  NATS_URL?: string;

  @ValidateIf((env: Environment) => env.NODE_ENV === 'production' || env.JWT_SECRET !== undefined)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters (it is required when NODE_ENV=production)' })
  JWT_SECRET?: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(31_536_000)
  JWT_TTL = 86_400;

  @ValidateIf((env: Environment) => env.ADMIN_EMAIL !== undefined || env.ADMIN_PASSWORD !== undefined)
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address (set it together with ADMIN_PASSWORD)' })
  ADMIN_EMAIL?: string;

  @ValidateIf((env: Environment) => env.ADMIN_EMAIL !== undefined || env.ADMIN_PASSWORD !== undefined)
  @IsString()
  @Length(8, 128, { message: 'ADMIN_PASSWORD must be 8–128 characters (set it together with ADMIN_EMAIL)' })
  ADMIN_PASSWORD?: string;

  @ValidateIf((env: Environment) => env.NODE_ENV === 'production' || env.WEBHOOK_SECRET !== undefined)
  @IsString()
  @MinLength(16, { message: 'WEBHOOK_SECRET must be at least 16 characters (it is required when NODE_ENV=production)' })
  WEBHOOK_SECRET?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  PAYMENT_TIMEOUT_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DB_POOL_MAX = 10;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  DB_POOL_IDLE_MS = 10_000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  DB_CONN_MAX_LIFETIME_S = 1_800;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  DB_ACQUIRE_TIMEOUT_MS = 5_000;

  /** The longest a list's statement may run (PostgreSQL's statement_timeout in its transaction); past it, 503. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60_000)
  LIST_STATEMENT_TIMEOUT_MS = 2_000;

  /** Uncached list loads one client may have running on an instance at once; past it, 429. `0`: no limit. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  LIST_LOADS_PER_CLIENT = 1;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  REQUEST_TIMEOUT_MS = 30_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  KEEP_ALIVE_TIMEOUT_MS = 5_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  HEADERS_TIMEOUT_MS = 10_000;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(1_048_576)
  MAX_HEADER_BYTES = 16_384;

  /** Longest request target (path and query) let in; longer is 414 at the front door. */
  @Transform(toInt)
  @IsInt()
  @Min(256)
  @Max(65_536)
  MAX_URL_BYTES = 4_096;

  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'BODY_LIMIT must be a size such as 100kb, 1mb or 2048' })
  BODY_LIMIT = '100kb';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_MINUTE = 600;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  AUTH_RATE_LIMIT_PER_MINUTE = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES = 10;

  /** Proxies whose `X-Forwarded-For` names the client; unset: none, the TCP peer is the client. */
  @IsOptional()
  @Validate(IsProxyTrust)
  TRUST_PROXY?: string;

  /** Set: `/metrics` needs `Authorization: Bearer <METRICS_TOKEN>`. */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,256}$/, {
    message: 'METRICS_TOKEN must be 16–256 printable characters without spaces',
  })
  METRICS_TOKEN?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKERS = 1;

  @Transform(toBool)
  @IsIn([true, false], { message: 'MIGRATIONS_RUN must be true or false' })
  MIGRATIONS_RUN = true;

  @IsOptional()
  @IsUrl({ ...urlOptions, protocols: ['http', 'https'] })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Browser origins allowed to call the API, comma-separated; unset turns CORS off. */
  @IsOptional()
  @Matches(new RegExp(`^\\s*${ORIGIN}\\s*(?:,\\s*${ORIGIN}\\s*)*$`), {
    message: 'CORS_ORIGINS must be comma-separated origins such as https://shop.example.com,http://localhost:3000',
  })
  CORS_ORIGINS?: string;

  @IsOptional()
  @Transform(toBool)
  @IsIn([true, false], { message: 'SEED_DEMO must be true or false' })
  SEED_DEMO?: boolean;
}

export class EnvironmentError extends Error {}

/** Parses and validates raw environment variables; throws one error naming every bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
  const env = plainToInstance(Environment, present, { exposeDefaultValues: true });
  const problems = validateSync(env, { skipMissingProperties: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`),
  );
  if (env.WORKERS > 1 && (!env.DATABASE_URL || !env.REDIS_URL)) {
    problems.push(
      'WORKERS: more than one worker needs DATABASE_URL and REDIS_URL (the embedded stand-ins are per process)',
    );
  }
  if (problems.length > 0) {
    throw new EnvironmentError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return env;
}
