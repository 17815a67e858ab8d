import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { ensureBuilt, freePort, send, ServiceProcess, startService } from './support/service-process';
import { ADMIN, createWorld, TestWorld } from './support/test-app';

/**
 * The memory limits the image starts the service with (the Dockerfile's NODE_OPTIONS and
 * MALLOC_ARENA_MAX) hold under a burst of concurrent large requests: megabyte list pages
 * and near-limit bodies, all at once. Every request is answered and the process lives on.
 */
const PRODUCTS = 100;
const DESCRIPTION = 'd'.repeat(10_000); // the longest a description may be
const WAVES = 3;
const PAGES_PER_WAVE = 48; // 100 products × 10 kB each: about 1 MB per answer
const BODIES_PER_WAVE = 48; // about 90 kB each, under BODY_LIMIT (100 kB)

function dockerfileEnv(name: string): string {
  const dockerfile = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8');
  const match = new RegExp(`^ENV ${name}="([^"]*)"`, 'm').exec(dockerfile);
  if (!match) {
    throw new Error(`The Dockerfile sets no ENV ${name}="…"`);
  }
  return match[1];
}

describe('Memory limits of the built service under a burst', () => {
  let world: TestWorld;
  let service: ServiceProcess;
  let admin: string;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 96 });

  beforeAll(async () => {
    ensureBuilt();
    world = await createWorld();
    const storage: Record<string, string> = world.databaseUrl
      ? { DATABASE_URL: world.databaseUrl, REDIS_URL: world.redisUrl ?? '', REDIS_KEY_PREFIX: world.keyPrefix }
      : { DATA_DIR: 'memory://' };
    if (!storage.REDIS_URL) {
      delete storage.REDIS_URL;
    }
    service = startService(await freePort(), {
      ...storage,
      NODE_OPTIONS: dockerfileEnv('NODE_OPTIONS'),
      MALLOC_ARENA_MAX: dockerfileEnv('MALLOC_ARENA_MAX'),
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MINUTE: '0',
      SEED_DEMO: 'false',
      // the burst queues on the pool: waiting is fine here, a 503 would hide what is measured
      DB_ACQUIRE_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '120000',
    });
    await service.waitForLive();
    const login = await send(service.port, 'POST', '/v1/auth/login', { body: ADMIN });
    admin = `Bearer ${(login.body as { accessToken: string }).accessToken}`;
    for (let i = 0; i < PRODUCTS; i += 10) {
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          send(service.port, 'POST', '/v1/products', {
            headers: { authorization: admin },
            body: { sku: `BURST-${i + j}`, name: `Burst ${i + j}`, price: 100, stock: 5, description: DESCRIPTION },
          }),
        ),
      );
      expect(created.map((res) => res.status)).toEqual(Array<number>(10).fill(201));
    }
  }, 240_000);

  afterAll(async () => {
    agent.destroy();
    await service?.kill();
    await world?.drop();
  });

  it('answers every request of three waves of megabyte pages and near-limit bodies, and stays up', async () => {
    expect(dockerfileEnv('NODE_OPTIONS')).toMatch(/--max-old-space-size=\d+/);
    for (let wave = 0; wave < WAVES; wave++) {
      const pages = Array.from({ length: PAGES_PER_WAVE }, (_, i) =>
        // A different query each time: none is answered from the cache.
        send(service.port, 'GET', `/v1/products?pageSize=100&q=Burst&maxPrice=${1_000_000 + wave * 1_000 + i}`, {
          agent,
        }),
      );
      const bodies = Array.from({ length: BODIES_PER_WAVE }, (_, i) =>
        send(service.port, 'POST', '/v1/products', {
          agent,
          headers: { authorization: admin },
          // Over the description's 10,000 characters: parsed in full, then refused.
          body: { sku: `BIG-${wave}-${i}`, name: 'Big', price: 1, stock: 1, description: 'x'.repeat(90_000) },
        }),
      );
      const [pageAnswers, bodyAnswers] = await Promise.all([Promise.all(pages), Promise.all(bodies)]);
      expect(pageAnswers.map((res) => res.error ?? res.status)).toEqual(Array<number>(PAGES_PER_WAVE).fill(200));
      expect(pageAnswers.every((res) => (res.body as { items: unknown[] }).items.length === PRODUCTS)).toBe(true);
      expect(bodyAnswers.map((res) => res.error ?? res.status)).toEqual(Array<number>(BODIES_PER_WAVE).fill(400));
    }
    const live = await send(service.port, 'GET', '/health/live');
    expect(live.status).toBe(200);
    expect(service.output()).not.toMatch(/heap out of memory|FATAL ERROR/i);
  }, 300_000);
});
