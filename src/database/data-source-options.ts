import type { EventEmitter } from 'node:events';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/configuration';
import { MIGRATIONS } from './migrations';

/**
 * The longest any one statement may run on the real server. No query of this service
 * comes near it (point reads, small batches, indexed lists); a statement past it is a
 * hung lock or a sick server, and holding a pooled connection and a request for it would
 * only spread the outage. PostgreSQL cancels it (57014) and the connection stays usable;
 * the request answers 503 DATABASE_UNAVAILABLE. Fixed rather than derived from
 * REQUEST_TIMEOUT_MS: it bounds the pool, not one request. Start-up migrations run through
 * this pool too, so each of their statements must fit as well (today's are DDL on small
 * tables, milliseconds); a long backfill or index build belongs outside the start-up run.
 */
export const STATEMENT_TIMEOUT_MS = 10_000;
/**
 * The client-side backstop for a server that does not answer at all (hung, or the network
 * silently drops packets), where statement_timeout cannot fire: node-postgres fails the
 * query after this long. A little above STATEMENT_TIMEOUT_MS, so the server's own cancel
 * normally wins.
 */
export const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 5_000;

/**
 * TypeORM options for the real PostgreSQL at `database.url`, or for the embedded one
 * when `embeddedConnection` is given. Schema changes come only from migrations.
 */
export function dataSourceOptions(database: AppConfig['database'], embeddedConnection?: unknown): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    uuidExtension: 'pgcrypto' as const,
  };
  if (embeddedConnection) {
    // One connection, never closed while idle: PGlite has a single session. No statement or
    // query timeouts: PGlite runs in this process and a client-side timeout cannot cancel it.
    return {
      ...common,
      poolSize: 1,
      connectTimeoutMS: database.acquireTimeoutMs,
      extra: { connection: embeddedConnection, max: 1, idleTimeoutMillis: 0 },
    };
  }
  return {
    ...common,
    url: database.url,
    poolSize: database.poolMax,
    // pg-pool applies this to both waits: a free pooled connection, and a new connection's connect.
    connectTimeoutMS: database.acquireTimeoutMs,
    applicationName: 'mall-service',
    extra: {
      idleTimeoutMillis: database.poolIdleMs,
      maxLifetimeSeconds: database.connMaxLifetimeS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      // TCP keep-alive finds a connection whose peer vanished (no RST) while it sits idle.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      onConnect: listenForErrors,
    },
  };
}

/**
 * Gives every new connection an 'error' listener of its own. pg-pool listens while a
 * connection is idle and TypeORM while it is checked out, but not in between: a session
 * PostgreSQL ends right after it started (`pg_terminate_backend` during a reconnect storm,
 * a failover) can deliver its FATAL in the same read as the start-up's last message, before
 * TypeORM attaches its listener, and an 'error' event nobody listens to crashes the process.
 * Nothing is lost by ignoring it here: the pool and TypeORM see the broken connection
 * themselves, drop it, and its query answers 503 DATABASE_UNAVAILABLE.
 */
function listenForErrors(client: EventEmitter): void {
  client.on('error', () => undefined);
}
