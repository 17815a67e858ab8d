import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { startNode, type Child } from './processes.js';

/** Where the bench finds its servers; the defaults are this machine's. */
export const PG_SERVER_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * The database it drops and recreates, and the Redis prefix it deletes; `BENCH_DATABASE`
 * and `BENCH_PORT_OFFSET` let two runs share one machine without touching each other.
 */
export const DATABASE = process.env.BENCH_DATABASE ?? 'mall_bench';
export const REDIS_KEY_PREFIX = `${DATABASE.replace(/_/g, '-')}:`;
const PORT_OFFSET = Number(process.env.BENCH_PORT_OFFSET ?? 0);
/** `port` moved by `BENCH_PORT_OFFSET`. */
export const benchPort = (port: number) => port + PORT_OFFSET;
export const ADMIN = { email: 'admin@bench.test', password: 'bench-admin-password' };

/** The repository root: the nearest folder above this file with a package.json (works from bench/dist too). */
export const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) {
    dir = dirname(dir);
  }
  return dir;
})();
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
export const LOG_DIR = join(RESULTS_DIR, 'logs');

export interface ServiceOptions {
  /** Embedded PGlite and in-process Redis stand-ins instead of the real servers. */
  embedded: boolean;
  port: number;
  workers?: number;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** How often readiness is asked while it starts (ms). */
  pollMs?: number;
  /** Another build's `main.js` (from {@link copiedMain}) instead of the snapshot's. */
  main?: string;
  logFile: string;
}

const JWT_SECRET = randomBytes(32).toString('hex');

let serviceMain = join(ROOT, 'dist', 'main.js');

/**
 * Runs the service from a private copy of dist/: the working tree is shared, and a
 * concurrent `npm run build` empties dist/ while it compiles. The copy sits inside the
 * repository, so its imports still resolve from node_modules; it is removed on exit.
 */
export function snapshotService(): { builtAt: string } {
  // BENCH_SERVICE_DIST: measure another build (e.g. one made from a clean checkout of HEAD).
  const dist = process.env.BENCH_SERVICE_DIST ?? join(ROOT, 'dist');
  serviceMain = copiedMain(dist, 'service');
  const builtAt = `${statSync(join(dist, 'main.js')).mtime.toISOString()}${process.env.BENCH_SERVICE_DIST ? ` in ${dist}` : ''}`;
  return { builtAt };
}

/** `main.js` of a private copy of the build in `dist` (see {@link snapshotService}), for `ServiceOptions.main`. */
export function copiedMain(dist: string, name: string): string {
  if (!existsSync(join(dist, 'main.js'))) {
    throw new Error(`${join(dist, 'main.js')} is missing: run \`npm run build\` first (npm run bench does)`);
  }
  const copy = join(ROOT, 'bench', 'dist', `${name}-${process.pid}`);
  if (!existsSync(copy)) {
    cpSync(dist, copy, { recursive: true });
    process.on('exit', () => rmSync(copy, { recursive: true, force: true }));
  }
  return join(copy, 'main.js');
}

export function databaseUrl(database = DATABASE): string {
  return `${PG_SERVER_URL}/${database}`;
}

/** A variable the Dockerfile's runtime image sets (`ENV NAME="value"`): the service runs here as it runs there. */
function dockerfileEnv(name: string): string {
  const match = new RegExp(`^ENV ${name}="([^"]*)"`, 'm').exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  return match?.[1] ?? '';
}

/** `node dist/main.js` as production would run it, with rate limiting off, behind a (loopback) proxy, and quiet logs. */
export function startService(options: ServiceOptions): Promise<Child> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(options.port),
    JWT_SECRET,
    WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    LIST_LOADS_PER_CLIENT: '0',
    // the bench's own clients are told apart by X-Forwarded-For (auth-flood)
    TRUST_PROXY: 'loopback',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    WORKERS: String(options.workers ?? 1),
    // The memory limits the image starts the service with; BENCH_NODE_OPTIONS="" measures without them.
    NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? dockerfileEnv('NODE_OPTIONS'),
    MALLOC_ARENA_MAX: process.env.BENCH_MALLOC_ARENA_MAX ?? dockerfileEnv('MALLOC_ARENA_MAX'),
    ...(options.embedded ? { DATA_DIR: 'memory://' } : { DATABASE_URL: databaseUrl(), REDIS_URL, REDIS_KEY_PREFIX }),
  };
  const variant = [options.workers && options.workers > 1 ? `WORKERS=${options.workers}` : ''].filter(Boolean);
  return startNode({
    name: variant.length > 0 ? `service (${variant.join(', ')})` : 'service',
    args: [...(options.nodeFlags ?? []), options.main ?? serviceMain],
    env,
    port: options.port,
    readyPath: '/health/ready',
    logFile: options.logFile,
    timeoutMs: 120_000,
    pollMs: options.pollMs,
  });
}

/** Drops and creates the bench database (the service migrates it when it starts). */
export async function recreateDatabase(): Promise<void> {
  await withDatabase('postgres', async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${DATABASE}`);
  });
}

export async function dropDatabase(): Promise<void> {
  await withDatabase('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
}

export async function withDatabase<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Deletes the bench's Redis keys (those under its prefix, optionally narrower). */
export async function deleteRedisKeys(pattern = '*'): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_KEY_PREFIX}${pattern}`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        deleted += await redis.unlink(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
