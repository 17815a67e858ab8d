import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { loadConfiguration } from './config/configuration';

/**
 * Fails when the entities and the migrations disagree. On a fresh database with every
 * migration applied, it asks TypeORM for what `migration:generate` would write from the
 * entities; anything at all is drift (a column changed in one and not the other).
 *
 * With `DATABASE_URL` it works in a temporary database on that server, created and
 * dropped here; without it, in a new in-memory embedded PostgreSQL (PGlite), which
 * checks the same migrations on PGlite's PostgreSQL 18 instead.
 *
 *   node dist/schema-drift.js
 */
async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  const temporary = serverUrl ? `mall_drift_${Date.now()}_${process.pid}` : undefined;
  let databaseUrl: string | undefined;
  if (serverUrl && temporary) {
    await onServer(serverUrl, (admin) => admin.query(`CREATE DATABASE ${temporary}`));
    const url = new URL(serverUrl);
    url.pathname = `/${temporary}`;
    databaseUrl = url.toString();
  }
  // Only the database: no Redis, NATS, admin or demo catalog.
  const config = loadConfiguration({
    DATABASE_URL: databaseUrl,
    DATA_DIR: 'memory://',
    MIGRATIONS_RUN: 'true',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
  });

  let statements: string[];
  try {
    const app = await NestFactory.create(AppModule.forRoot(config), { logger: ['error'] });
    await app.init(); // applies the migrations
    try {
      const pending = await app.get(DataSource).driver.createSchemaBuilder().log();
      statements = pending.upQueries.map((query) => query.query);
    } finally {
      await app.close();
    }
  } finally {
    if (serverUrl && temporary) {
      await onServer(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${temporary} WITH (FORCE)`));
    }
  }
  for (const statement of statements) {
    console.warn(`  ${statement}`);
  }
  const where = serverUrl ? 'PostgreSQL at DATABASE_URL' : 'the embedded PostgreSQL';
  console.warn(`migrations drift: ${statements.length} statements between the entities and the migrations (${where})`);
  process.exit(statements.length === 0 ? 0 : 1);
}

async function onServer(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error('The drift check could not run:', error);
  process.exit(1);
});
