import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/configuration';
import { MIGRATIONS } from './migrations';

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
    // One connection, never closed while idle: PGlite has a single session.
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
    connectTimeoutMS: database.acquireTimeoutMs,
    applicationName: 'mall-service',
    extra: {
      idleTimeoutMillis: database.poolIdleMs,
      maxLifetimeSeconds: database.connMaxLifetimeS,
    },
  };
}
