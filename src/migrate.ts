// Applies the pending migrations to DATABASE_URL and exits: the migration step of a deploy
// (a Kubernetes Job, a release hook) whose app instances run with MIGRATIONS_RUN=false.
// Same lock as the instances' own start-up migrations, so either may run alongside.
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfiguration } from './config/configuration';
import { EnvironmentError } from './config/environment';
import { dataSourceOptions } from './database/data-source-options';
import { runPendingMigrations } from './database/run-migrations';

async function migrate(): Promise<number> {
  const logger = new Logger('Migrate');
  let database;
  try {
    database = loadConfiguration(process.env).database;
  } catch (error) {
    if (error instanceof EnvironmentError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  if (!database.url) {
    // The embedded database belongs to one process, which migrates it when it starts.
    console.error('DATABASE_URL must be set: the embedded database is migrated by the service itself');
    return 1;
  }
  const dataSource = new DataSource(dataSourceOptions({ ...database, poolMax: 1 }));
  await dataSource.initialize();
  try {
    const applied = await runPendingMigrations(dataSource);
    logger.log(applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'No pending migrations');
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

migrate().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('Migrating failed:', error);
    process.exit(1);
  },
);
