import { DataSource, MigrationExecutor } from 'typeorm';

/** Arbitrary, fixed: the advisory lock held while migrating (by instances and by `dist/migrate.js` alike). */
export const MIGRATION_LOCK_KEY = 7_427_301;

/**
 * Applies the pending migrations under a PostgreSQL advisory lock, so that instances (or
 * a migration Job) starting together take turns, each migration in its own transaction.
 * The lock and the migrations share one connection, so a pool of one cannot deadlock.
 * Resolves with the names of the migrations applied (none when the schema was current).
 */
export async function runPendingMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
