import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/configuration';
import { MetricsService } from '../metrics/metrics.service';
import { DATABASE_ERROR_MAPPER, databaseErrorMapper } from './database-errors';
import { dataSourceOptions } from './data-source-options';
import type { EmbeddedPostgres } from './embedded-postgres';
import { runPendingMigrations } from './run-migrations';
import { TransactionRunner } from './transaction-runner';

const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

/** Opens the embedded PostgreSQL when no `DATABASE_URL` is set, and closes it last. */
@Global()
@Module({
  providers: [
    {
      provide: EMBEDDED_POSTGRES,
      inject: [ConfigService],
      useFactory: async (config: ConfigService<AppConfig, true>) => {
        const database = config.get('database', { infer: true });
        if (!database.embedded) {
          return null;
        }
        new Logger('Database').warn(`DATABASE_URL is not set: using the embedded PostgreSQL in ${database.dataDir}`);
        // Required only here: PGlite is not loaded when a real PostgreSQL is configured.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { EmbeddedPostgres } = require('./embedded-postgres') as typeof import('./embedded-postgres');
        return EmbeddedPostgres.open(database.dataDir);
      },
    },
  ],
  exports: [EMBEDDED_POSTGRES],
})
class EmbeddedPostgresModule implements OnApplicationShutdown {
  constructor(@Inject(EMBEDDED_POSTGRES) private readonly embedded: EmbeddedPostgres | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.close();
  }
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedPostgresModule],
      inject: [ConfigService, EMBEDDED_POSTGRES],
      useFactory: (config: ConfigService<AppConfig, true>, embedded: EmbeddedPostgres | null) => ({
        ...dataSourceOptions(config.get('database', { infer: true }), embedded?.connection()),
        autoLoadEntities: true,
      }),
    }),
  ],
  providers: [TransactionRunner, { provide: DATABASE_ERROR_MAPPER, useFactory: () => databaseErrorMapper() }],
  exports: [TransactionRunner, DATABASE_ERROR_MAPPER],
})
export class DatabaseModule implements OnModuleInit {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ConfigService<AppConfig, true>,
    metrics: MetricsService,
  ) {
    this.registerPoolGauges(dataSource, metrics);
  }

  /**
   * Pending migrations run before the app serves anything (unless MIGRATIONS_RUN=false,
   * when `dist/migrate.js` runs them instead, e.g. as a Kubernetes Job).
   */
  async onModuleInit(): Promise<void> {
    if (!this.config.get('database', { infer: true }).migrationsRun) {
      return;
    }
    const applied = await runPendingMigrations(this.dataSource);
    if (applied.length > 0) {
      this.logger.log(`Applied migrations: ${applied.join(', ')}`);
    }
  }

  private registerPoolGauges(dataSource: DataSource, metrics: MetricsService): void {
    const pool = () =>
      (dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } })
        .master;
    metrics.gauge('db_pool_connections_total', 'Open database connections', () => pool()?.totalCount ?? 0);
    metrics.gauge('db_pool_connections_idle', 'Idle database connections', () => pool()?.idleCount ?? 0);
    metrics.gauge(
      'db_pool_requests_waiting',
      'Queries waiting for a database connection',
      () => pool()?.waitingCount ?? 0,
    );
  }
}
