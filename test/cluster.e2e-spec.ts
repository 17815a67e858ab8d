import net from 'node:net';
import { ensureBuilt, freePort, send, ServiceProcess, startService } from './support/service-process';
import { createWorld, TestWorld } from './support/test-app';
import { sleep, waitFor } from './support/wait';

/**
 * `WORKERS=2 node dist/main.js`: both workers serve, a dead worker is replaced, SIGTERM
 * to the primary stops everything with exit 0, and workers that cannot start make the
 * primary give up instead of forking forever. Real servers only: WORKERS > 1 needs
 * DATABASE_URL and REDIS_URL.
 */
const REAL_SERVERS = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

const until = <T>(what: string, timeoutMs: number, read: () => T | Promise<T>, done: (value: T) => boolean) =>
  waitFor(what, read, done, timeoutMs);

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of the processes that logged "Listening on port", in order. */
const listeningPids = (output: string) =>
  [...output.matchAll(/"pid":(\d+)[^\n]*Listening on port/g)].map((match) => Number(match[1]));

/** Pids that logged a completed request for a URL containing `marker`. */
const servingPids = (output: string, marker: string) =>
  new Set(
    output
      .split('\n')
      .filter((line) => line.includes('request completed') && line.includes(marker))
      .map((line) => Number(/"pid":(\d+)/.exec(line)?.[1])),
  );

describe('WORKERS=2 with the built service', () => {
  let world: TestWorld;
  const services: ServiceProcess[] = [];
  let blocker: net.Server | undefined;

  const start = async (env: Record<string, string> = {}, port?: number) => {
    const service = startService(port ?? (await freePort()), {
      DATABASE_URL: world.databaseUrl!,
      REDIS_URL: world.redisUrl!,
      REDIS_KEY_PREFIX: world.keyPrefix,
      WORKERS: '2',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '0',
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      LIST_LOADS_PER_CLIENT: '0', // one test client stands for many
      ...env,
    });
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    if (!REAL_SERVERS) {
      return;
    }
    ensureBuilt();
    world = await createWorld();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill()));
    await new Promise<void>((done) => (blocker ? blocker.close(() => done()) : done()));
    await world?.drop();
  });

  it('serves from both workers, replaces a dead one, and stops them all on SIGTERM with exit 0', async () => {
    if (!REAL_SERVERS) {
      return; // WORKERS > 1 needs the real servers
    }
    const service = await start();
    const workers = await until(
      'two workers listening',
      90_000,
      () => listeningPids(service.output()),
      (pids) => {
        return pids.length >= 2;
      },
    );
    expect(new Set(workers).size).toBe(2);
    expect(workers).not.toContain(service.pid);

    // Fresh connections are spread over the workers (round robin); each request logs its pid.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(service.port, 'GET', `/v1/products?q=spread-${i}`)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    const served = await until(
      'both workers log requests',
      5_000,
      () => servingPids(service.output(), 'spread-'),
      (pids) => {
        return pids.size >= 2;
      },
    );
    expect([...served].sort()).toEqual([...workers].sort());

    // A worker killed outright is replaced, and the service keeps answering meanwhile.
    process.kill(workers[0], 'SIGKILL');
    const replacement = await until(
      'a replacement worker',
      60_000,
      () => listeningPids(service.output()),
      (pids) => {
        return pids.length >= 3;
      },
    );
    const current = [workers[1], replacement[2]];
    expect(isRunning(workers[0])).toBe(false);
    expect((await send(service.port, 'GET', '/health/live')).status).toBe(200);

    const signalled = Date.now();
    process.kill(service.pid, 'SIGTERM');
    const exit = await Promise.race([service.exited, sleep(25_000).then(() => 'still running after 25 s')]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(25_000);
    expect(current.filter(isRunning)).toEqual([]);
    expect(service.output().match(/"msg":"Stopped"/g)).toHaveLength(2);
  }, 180_000);

  it('gives up with a clear message when workers keep dying at start-up', async () => {
    if (!REAL_SERVERS) {
      return;
    }
    // The port is taken: each worker starts, fails to listen, and exits 1.
    blocker = net.createServer();
    await new Promise<void>((done) => blocker!.listen(0, done));
    const service = await start({}, (blocker.address() as net.AddressInfo).port);
    const exit = await Promise.race([service.exited, sleep(90_000).then(() => 'still forking after 90 s')]);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(service.output()).toMatch(/Workers failed to start 5 times in a row .* giving up/);
    // five failed starts, then no more
    expect(service.output().match(/The service could not start/g)).toHaveLength(5);
    expect(service.output()).toMatch(/failed to start \(code 1\); starting another in 2000 ms/);
  }, 120_000);
});
