import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS } from '../src/database/migrations';
import { MIGRATION_LOCK_KEY } from '../src/database/run-migrations';
import { ensureBuilt } from './support/service-process';
import { createWorld, TestWorld } from './support/test-app';

/**
 * `node dist/migrate.js`, the migrations-only entry a deploy runs before instances that
 * start with MIGRATIONS_RUN=false: it migrates a fresh database and exits 0, does nothing
 * the second time, and waits for the advisory lock the instances take.
 */
const MIGRATE = join(resolve(__dirname, '..'), 'dist/migrate.js');

interface Run {
  code: Promise<number | null>;
  output(): string;
}

function runMigrate(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MIGRATE], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { code: new Promise((done) => child.once('exit', (code) => done(code))), output: () => output };
}

describe('dist/migrate.js', () => {
  beforeAll(() => ensureBuilt(), 180_000);

  it('refuses to run without DATABASE_URL (the embedded database migrates itself)', async () => {
    const run = runMigrate({});
    expect(await run.code).toBe(1);
    expect(run.output()).toContain('DATABASE_URL must be set');
  });

  const onRealServer = process.env.TEST_DATABASE_URL ? describe : describe.skip;
  onRealServer('on a real PostgreSQL', () => {
    let world: TestWorld;
    let client: Client;

    beforeAll(async () => {
      world = await createWorld();
      client = new Client({ connectionString: world.databaseUrl });
      await client.connect();
    });

    afterAll(async () => {
      await client?.end();
      await world?.drop();
    });

    const appliedNames = async () =>
      (await client.query<{ name: string }>('SELECT name FROM migrations ORDER BY id')).rows.map((row) => row.name);

    it('waits for the migration lock an instance holds, then applies every migration and exits 0', async () => {
      const holder = new Client({ connectionString: world.databaseUrl });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        const run = runMigrate({ DATABASE_URL: world.databaseUrl! });
        // Its session shows up waiting on the advisory lock (not a timer: polled until seen).
        for (;;) {
          const waiting = await holder.query(
            `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
              WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`,
          );
          if (waiting.rowCount! > 0) {
            break;
          }
          await new Promise((done) => setTimeout(done, 50));
        }
        expect(await client.query("SELECT to_regclass('public.migrations') AS t")).toMatchObject({
          rows: [{ t: null }],
        });
        await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        expect(await run.code).toBe(0);
        expect(run.output()).toContain('Applied migrations');
      } finally {
        await holder.end();
      }
      expect(await appliedNames()).toEqual(MIGRATIONS.map((migration) => migration.name));
      const tables = await client.query(
        "SELECT to_regclass('public.products') AS p, to_regclass('public.orders') AS o",
      );
      expect(tables.rows[0]).toEqual({ p: 'products', o: 'orders' });
    });

    it('applies nothing on a current schema and exits 0', async () => {
      const run = runMigrate({ DATABASE_URL: world.databaseUrl! });
      expect(await run.code).toBe(0);
      expect(run.output()).toContain('No pending migrations');
      expect(await appliedNames()).toHaveLength(MIGRATIONS.length);
    });
  });
});
