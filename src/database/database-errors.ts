import { Logger } from '@nestjs/common';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { ServiceUnavailableError } from '../common/errors/domain-error';
import type { ErrorMapper } from '../common/http/error-mappers';

/** Node socket errors: the database host cannot be reached, or the link to it broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that say "the server is unavailable or gave up", not "your query is wrong":
 * 57014 query_canceled (statement_timeout), 57P01 admin_shutdown (`pg_terminate_backend`,
 * a fast shutdown), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, a
 * standby being promoted), 53300 too_many_connections. Class 08 (connection exception)
 * is matched by prefix.
 */
const SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300']);

/** What node-postgres and pg-pool throw when a connection cannot be had or was lost. */
const MESSAGES = [
  'timeout exceeded when trying to connect', // pg-pool: no connection within DB_ACQUIRE_TIMEOUT_MS
  'Connection terminated', // also "… unexpectedly" and "… due to connection timeout"
  'Query read timeout', // the client-side query_timeout
  'is not queryable', // a client that already lost its connection
];

/**
 * TypeORM releases a query runner when its connection errors (a terminated session, a
 * failover): the next statement on it (the rest of that transaction, the second query of
 * a two-query read such as findAndCount) fails with one of these instead of the
 * connection's own error. `manager.query` and `dataSource.query` say
 * QueryRunnerProviderAlreadyReleasedError, the query runner itself
 * QueryRunnerAlreadyReleasedError. Our code never reuses a runner it released itself.
 */
const RELEASED_RUNNER_ERRORS = [QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError];

/**
 * True when `error` means the database is down, unreachable, too slow, or ended the
 * session under the request, rather than a bug: such a request deserves a 503 the client
 * may retry. Looks through TypeORM's `QueryFailedError.driverError` and `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if (RELEASED_RUNNER_ERRORS.some((released) => current instanceof released)) {
      return true;
    }
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08/.test(code))) {
      return true;
    }
    if (typeof message === 'string' && MESSAGES.some((known) => message.includes(known))) {
      return true;
    }
    // A connect() to a host with several addresses fails with all of them.
    if (current instanceof AggregateError && current.errors.some((inner) => isDatabaseUnavailable(inner))) {
      return true;
    }
    const next = current as { driverError?: unknown; cause?: unknown };
    current = next.driverError ?? next.cause;
  }
  return false;
}

export class DatabaseUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('DATABASE_UNAVAILABLE', 'The database is unavailable; try again shortly', 5);
  }
}

/** Injection token of the database's {@link ErrorMapper} (made by {@link databaseErrorMapper}). */
export const DATABASE_ERROR_MAPPER = Symbol('DATABASE_ERROR_MAPPER');

/**
 * The exception filter's mapper for this layer: an unavailable database answers 503
 * `DATABASE_UNAVAILABLE`. An outage, not a bug: the client may retry, and it is logged
 * once per 10 s, not once per request.
 */
export function databaseErrorMapper(logger = new Logger('Errors')): ErrorMapper {
  let lastWarning = 0;
  return (error) => {
    if (!isDatabaseUnavailable(error)) {
      return undefined;
    }
    const now = Date.now();
    if (now - lastWarning > 10_000) {
      lastWarning = now;
      logger.warn(`Answering 503 DATABASE_UNAVAILABLE: ${(error as Error).message}`);
    }
    return new DatabaseUnavailableError();
  };
}
