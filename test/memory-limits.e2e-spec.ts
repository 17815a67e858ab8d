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

/** The service's database and Redis: the test world's real servers, else the embedded defaults. */
function storageOf(world: TestWorld): Record<string, string> {
  if (!world.databaseUrl) {
    return { DATA_DIR: 'memory://' };
  }
  return {
    DATABASE_URL: world.databaseUrl,
    ...(world.redisUrl ? { REDIS_URL: world.redisUrl } : {}),
    REDIS_KEY_PREFIX: world.keyPrefix,
  };
}

describe('Memory limits of the built service under a burst', () => {
  let world: TestWorld;
  let service: ServiceProcess;
  let admin: string;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 96 });

  beforeAll(async () => {
    ensureBuilt();
    world = await createWorld();
    const storage = storageOf(world);
    service = startService(await freePort(), {
      ...storage,
      NODE_OPTIONS: dockerfileEnv('NODE_OPTIONS'),
      MALLOC_ARENA_MAX: dockerfileEnv('MALLOC_ARENA_MAX'),
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MINUTE: '0',
      LIST_LOADS_PER_CLIENT: '0', // the burst is one client's on purpose
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

/** Resident memory of `pid` in MB (VmRSS). */
function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * One anonymous client flooding long, distinct request targets over keep-alive
 * connections, with the image's memory limits and the default rate limit, while nothing
 * reads the service's stdout: targets over MAX_URL_BYTES are refused at the door, the
 * rest are logged with a bounded target, the lines stdout cannot take are dropped and
 * counted, and the response cache bounds the targets it remembers. Memory stays flat.
 */
describe('Memory of the built service under a flood of long URLs', () => {
  const FLOOD_MS = 20_000;
  const CONNECTIONS = 32;
  let world: TestWorld;
  let service: ServiceProcess;

  beforeAll(async () => {
    ensureBuilt();
    world = await createWorld();
    const storage = storageOf(world);
    service = startService(
      await freePort(),
      {
        ...storage,
        NODE_OPTIONS: dockerfileEnv('NODE_OPTIONS'),
        MALLOC_ARENA_MAX: dockerfileEnv('MALLOC_ARENA_MAX'),
        SEED_DEMO: 'true',
      },
      { unreadStdout: true },
    );
    await service.waitForLive();
  }, 120_000);

  afterAll(async () => {
    await service?.kill();
    await world?.drop();
  });

  it('stays alive with flat memory, refusing targets over MAX_URL_BYTES and dropping the log lines stdout cannot take', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const statuses = new Map<number | string, number>();
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMb(service.pid)), 500);
    const deadline = Date.now() + FLOOD_MS;
    let sent = 0;
    try {
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (Date.now() < deadline) {
            const n = sent++;
            // Half just under the default MAX_URL_BYTES (the pipeline answers them), half far over it.
            const padding = 'a'.repeat(n % 2 === 0 ? 3_900 : 16_000);
            const res = await send(service.port, 'GET', `/v1/products/1?x=${n}${padding}`, { agent });
            const key = res.error ?? res.status!;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
          }
        }),
      );
    } finally {
      clearInterval(sampler);
      agent.destroy();
    }
    const summary = `${sent} requests: ${JSON.stringify(Object.fromEntries(statuses))}; RSS samples (MB): ${samples.map(Math.round).join(' ')}`;
    expect(statuses.get(414)).toBeGreaterThan(sent / 4);
    expect([...statuses.keys()].filter((key) => typeof key === 'string')).toEqual([]);
    expect((await send(service.port, 'GET', '/health/live')).status).toBe(200);
    // Flat: the last third of the flood holds no more than the first third did, give or take.
    const third = Math.floor(samples.length / 3);
    const early = Math.max(...samples.slice(0, third));
    const late = Math.max(...samples.slice(-third));
    expect(late - early < 48 ? 'flat' : `grew ${Math.round(late - early)} MB: ${summary}`).toBe('flat');
    const metrics = await send(service.port, 'GET', '/metrics');
    const dropped = Number(/^log_lines_dropped_total (\d+)/m.exec(metrics.text ?? '')?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(service.output()).not.toMatch(/heap out of memory|FATAL ERROR/i);
  }, 120_000);
});
