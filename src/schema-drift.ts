import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
 *   node dist/schema-drift.js               fails on drift, printing the statements
 *   node dist/schema-drift.js --write Name  writes them as src/database/migrations/<time>-Name.ts
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

  const write = process.argv[2] === '--write' ? process.argv[3] : undefined;
  if (process.argv[2] === '--write' && !write?.match(/^[A-Z][A-Za-z0-9]*$/)) {
    throw new Error('--write needs a migration name in PascalCase, e.g. --write AddProductWeight');
  }
  let up: Query[];
  let down: Query[];
  try {
    const app = await NestFactory.create(AppModule.forRoot(config), { logger: ['error'] });
    await app.init(); // applies the migrations
    try {
      const pending = await app.get(DataSource).driver.createSchemaBuilder().log();
      up = pending.upQueries;
      down = pending.downQueries;
    } finally {
      await app.close();
    }
  } finally {
    if (serverUrl && temporary) {
      await onServer(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${temporary} WITH (FORCE)`));
    }
  }
  if (write && up.length > 0) {
    const file = writeMigration(write, up, down);
    console.warn(`wrote ${file} (${up.length} statements): add it to src/database/migrations/index.ts`);
    process.exit(0);
  }
  for (const query of up) {
    console.warn(`  ${query.query}`);
  }
  const where = serverUrl ? 'PostgreSQL at DATABASE_URL' : 'the embedded PostgreSQL';
  console.warn(`migrations drift: ${up.length} statements between the entities and the migrations (${where})`);
  process.exit(up.length === 0 || write ? 0 : 1);
}

/** A statement of TypeORM's schema builder. */
interface Query {
  query: string;
  parameters?: unknown[];
}

/** A migration file in the style of the existing ones: one `queryRunner.query` per statement. */
function writeMigration(name: string, up: Query[], down: Query[]): string {
  const timestamp = Date.now();
  const calls = (queries: Query[]) =>
    queries
      .map((query) => {
        const sql = query.query.replace(/[`\\]/g, (c) => `\\${c}`).replace(/\$\{/g, '\\${');
        const parameters = query.parameters?.length ? `, ${JSON.stringify(query.parameters)}` : '';
        return `    await queryRunner.query(\`${sql}\`${parameters});`;
      })
      .join('\n');
  const source = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${timestamp} implements MigrationInterface {
  name = '${name}${timestamp}';

  async up(queryRunner: QueryRunner): Promise<void> {
${calls(up)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${calls([...down].reverse())}
  }
}
`;
  const file = join(
    'src',
    'database',
    'migrations',
    `${timestamp}-${name.replace(/[A-Z]/g, (c: string, i: number) => (i ? '-' : '') + c.toLowerCase())}.ts`,
  );
  writeFileSync(file, source);
  return file;
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
