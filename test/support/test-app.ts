import type { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { loadConfiguration } from '../../src/config/configuration';
import { conformsToOpenApi } from './openapi-validator';

/**
 * Where a test file's apps keep their data. With `DATABASE_URL` / `REDIS_URL` set (the
 * real servers), each file gets a database of its own, created from that URL, and a
 * Redis key prefix of its own; both are removed when the file ends. Without them the
 * apps run on the embedded defaults, as a user's first start does.
 */
export interface TestWorld {
  databaseUrl?: string;
  redisUrl?: string;
  keyPrefix: string;
  drop(): Promise<void>;
}

export const ADMIN = { email: 'admin@mall.test', password: 'admin-password-1' };
const STALE_AFTER_MS = 2 * 60 * 60 * 1000;

export async function createWorld(): Promise<TestWorld> {
  const runId = `${Date.now()}_${randomBytes(4).toString('hex')}`;
  const keyPrefix = `mall-test:${runId}:`;
  const adminUrl = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  let databaseUrl: string | undefined;
  if (adminUrl) {
    const name = `mall_t_${runId}`;
    await withAdmin(adminUrl, async (admin) => {
      await dropStaleDatabases(admin);
      await admin.query(`CREATE DATABASE ${name}`);
    });
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  return {
    databaseUrl,
    redisUrl,
    keyPrefix,
    async drop() {
      if (adminUrl && databaseUrl) {
        const name = new URL(databaseUrl).pathname.slice(1);
        await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      }
      if (redisUrl) {
        await deleteKeys(redisUrl, keyPrefix);
      }
    },
  };
}

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Starts the real application on `world`, with `env` on top of quiet test defaults; the
 * test process's own environment does not count.
 */
export async function startApp(world: TestWorld, env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const settings: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: world.databaseUrl,
    REDIS_URL: world.redisUrl,
    REDIS_KEY_PREFIX: world.keyPrefix,
    DATA_DIR: 'memory://',
    NATS_URL: undefined,
    JWT_SECRET: 'test-secret-test-secret-test-secret-123',
    WEBHOOK_SECRET: 'test-webhook-secret-123',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    SEED_DEMO: 'false',
    WORKERS: '1',
    ...env,
  };
  // The test's own settings, validated as the process environment is: process.env stays as it is.
  const app = await createApp(loadConfiguration(settings));
  await app.init();
  const server = app.getHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    app,
    http: validatedRequest(server),
    dataSource: app.get(DataSource),
    close: async () => {
      await app.close();
      server.closeAllConnections();
    },
  };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options'] as const;

/**
 * supertest on `server`, with every answer checked against the OpenAPI document (status
 * documented, body and headers as documented): a test whose request gets an answer the
 * document does not describe fails.
 */
function validatedRequest(server: Parameters<typeof request>[0]): ReturnType<typeof request> {
  const http = request(server);
  for (const method of METHODS) {
    const original = http[method].bind(http);
    http[method] = (url: string) => original(url).expect(conformsToOpenApi);
  }
  return http;
}

export interface Suite {
  world: TestWorld;
  t: TestApp;
  /** The configured admin's `Authorization` header value. */
  admin: string;
}

/** A test file's own world and app, with the admin logged in: `({ world, t, admin } = await openSuite())`. */
export async function openSuite(env: Record<string, string | undefined> = {}): Promise<Suite> {
  const world = await createWorld();
  const t = await startApp(world, env);
  return { world, t, admin: await bearer(t.http, ADMIN.email, ADMIN.password) };
}

/** Closes what {@link openSuite} opened, also when it failed halfway. */
export async function closeSuite(suite: Partial<Suite>): Promise<void> {
  await suite.t?.close();
  await suite.world?.drop();
}

/** Logs in and returns an `Authorization` header value. */
export async function bearer(http: TestApp['http'], email: string, password: string): Promise<string> {
  const res = await http.post('/v1/auth/login').send({ email, password }).expect(200);
  return `Bearer ${res.body.accessToken as string}`;
}

let userCounter = 0;
/** Registers a fresh customer and returns its credentials and token. */
export async function newCustomer(http: TestApp['http']) {
  const email = `user${++userCounter}-${randomBytes(3).toString('hex')}@mall.test`;
  const password = 'customer-password-1';
  const registered = await http.post('/v1/auth/register').send({ email, password, name: 'Test User' }).expect(201);
  return { id: registered.body.id as number, email, password, auth: await bearer(http, email, password) };
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Databases of runs that crashed before cleaning up (their name carries the start time). */
async function dropStaleDatabases(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'mall\\_t\\_%'`,
  );
  for (const { datname } of rows) {
    const startedAt = Number(datname.split('_')[2]);
    if (Number.isFinite(startedAt) && Date.now() - startedAt > STALE_AFTER_MS) {
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
    }
  }
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) {
        await redis.del(...keys);
      }
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
