import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Answer, ensureBuilt, freePort, send, ServiceProcess, startService } from './support/service-process';
import { ADMIN, createWorld, TestWorld } from './support/test-app';

/**
 * SIGTERM to the built service (`node dist/main.js`) under load: what was accepted
 * finishes, nothing is reset, new connections are refused, and the process exits 0.
 * Embedded database in a temp DATA_DIR, or a database of its own on the real server.
 */
const LOAD = 100;
const REGISTRATIONS = 30; // scrypt makes these the slow ones (tens of ms each, four at a time)
const CHECKOUTS = 30; // the rest are uncached product searches

describe('Graceful shutdown of the built service', () => {
  let world: TestWorld;
  let dataDir: string | undefined;
  let service: ServiceProcess;
  const agents: http.Agent[] = [];

  const keepAliveAgent = (maxSockets = Infinity) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets });
    agents.push(agent);
    return agent;
  };
  const json = (answer: Answer) => answer.body as Record<string, unknown>;

  beforeAll(async () => {
    ensureBuilt();
    world = await createWorld();
    const storage: Record<string, string> = world.databaseUrl
      ? { DATABASE_URL: world.databaseUrl, REDIS_URL: world.redisUrl ?? '', REDIS_KEY_PREFIX: world.keyPrefix }
      : { DATA_DIR: (dataDir = mkdtempSync(join(tmpdir(), 'mall-shutdown-'))) };
    if (!storage.REDIS_URL) {
      delete storage.REDIS_URL;
    }
    service = startService(await freePort(), {
      ...storage,
      LOG_LEVEL: 'info',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MINUTE: '0',
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      LIST_LOADS_PER_CLIENT: '0', // one test client stands for many
      SEED_DEMO: 'false',
      // the test loads one embedded connection with a hundred requests: no 503 for waiting
      DB_ACQUIRE_TIMEOUT_MS: '30000',
      // far longer than the test: a connection closed promptly was closed by the shutdown
      KEEP_ALIVE_TIMEOUT_MS: '60000',
    });
    await service.waitForLive();
  }, 180_000);

  afterAll(async () => {
    agents.forEach((agent) => agent.destroy());
    await service?.kill();
    await world?.drop();
    if (dataDir) {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('finishes every accepted request, closes keep-alive connections, refuses new ones and exits 0', async () => {
    try {
      await drainUnderLoad();
    } catch (error) {
      // the service's own account of the shutdown helps more than the assertion alone
      const log = service
        .output()
        .split('\n')
        .filter((line) => !/request completed|Mapped|InstanceLoader/.test(line));
      (error as Error).message += `\n--- service output (tail) ---\n${log.slice(-30).join('\n')}`;
      throw error;
    }
  }, 90_000);

  async function drainUnderLoad() {
    const { port } = service;
    const login = await send(port, 'POST', '/v1/auth/login', { body: ADMIN });
    const admin = { Authorization: `Bearer ${json(login).accessToken as string}` };
    const product = await send(port, 'POST', '/v1/products', {
      headers: admin,
      body: { sku: `SHUTDOWN-${Date.now()}`, name: 'Drained', price: 100, stock: 1_000 },
    });
    expect(product.status).toBe(201);
    const productId = json(product).id as number;
    const customer = { email: `buyer-${Date.now()}@mall.test`, password: 'customer-password-1' };
    expect((await send(port, 'POST', '/v1/auth/register', { body: customer })).status).toBe(201);
    const buyer = {
      Authorization: `Bearer ${json(await send(port, 'POST', '/v1/auth/login', { body: customer })).accessToken as string}`,
    };

    // An idle keep-alive connection, opened before the signal.
    const idleAgent = keepAliveAgent(1);
    let idleClosedAt = 0;
    await new Promise<void>((done) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/health/live', agent: idleAgent }, (res) => {
        res.resume();
        res.on('end', done);
      });
      req.on('socket', (socket) => socket.once('close', () => (idleClosedAt = Date.now())));
    });

    // Keep-alive connections the server has accepted (each answered once), then the load on them.
    const agent = keepAliveAgent(LOAD);
    const warmUps = await Promise.all(Array.from({ length: LOAD }, () => send(port, 'GET', '/health/live', { agent })));
    expect(warmUps.every((answer) => answer.status === 200)).toBe(true);
    let sent = 0;
    const onSent = () => sent++;
    const load: Array<{ expected: number; answer: Promise<Answer> }> = [
      ...Array.from({ length: REGISTRATIONS }, (_, i) => ({
        expected: 201,
        answer: send(port, 'POST', '/v1/auth/register', {
          agent,
          onSent,
          body: { email: `drain-${i}-${Date.now()}@mall.test`, password: 'customer-password-1' },
        }),
      })),
      ...Array.from({ length: CHECKOUTS }, () => ({
        expected: 201,
        answer: send(port, 'POST', '/v1/orders', {
          agent,
          onSent,
          headers: buyer,
          body: { items: [{ productId, quantity: 1 }] },
        }),
      })),
      ...Array.from({ length: LOAD - REGISTRATIONS - CHECKOUTS }, (_, i) => ({
        expected: 200,
        answer: send(port, 'GET', `/v1/products?q=drain-${i}-${Date.now()}`, { agent, onSent }),
      })),
    ];
    let answered = 0;
    load.forEach(({ answer }) => void answer.then(() => answered++));

    // Signal once every request is on the wire.
    const deadline = Date.now() + 10_000;
    while (sent < load.length && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 5));
    }
    expect(sent).toBe(load.length);
    const signalledAt = Date.now();
    const inFlightAtSignal = load.length - answered;
    process.kill(service.pid, 'SIGTERM');

    // New connections are refused soon (loosely bounded: a loaded machine delays the signal).
    let refusedAt = 0;
    while (!refusedAt && Date.now() - signalledAt < 10_000) {
      await new Promise((done) => setTimeout(done, 50));
      if ((await connectError(port)) === 'ECONNREFUSED') {
        refusedAt = Date.now();
      }
    }
    expect(refusedAt).toBeGreaterThan(0);

    const answers = await Promise.all(load.map(({ answer }) => answer));
    expect(inFlightAtSignal).toBeGreaterThan(0); // else the load was too light to test anything
    expect(answers.filter((answer) => answer.error).map((answer) => answer.error)).toEqual([]);
    expect(answers.map((answer) => answer.status)).toEqual(load.map(({ expected }) => expected));
    // Answers finished during the drain end their connection.
    expect(answers.filter((answer) => answer.headers.connection === 'close').length).toBeGreaterThan(0);

    const exit = await Promise.race([
      service.exited,
      new Promise((done) => setTimeout(() => done('still running 20 s after SIGTERM'), 20_000)),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(service.output()).toMatch(/"msg":"Stopped"/);
    // Every connection ended on its own within the drain, keep-alive ones included (they
    // would otherwise stay open KEEP_ALIVE_TIMEOUT_MS, a minute): nothing had to be cut.
    expect(service.output()).not.toMatch(/closing their connections/);
    expect(idleClosedAt).toBeGreaterThanOrEqual(signalledAt);

    if (world.databaseUrl) {
      // what answered 201 was committed
      const client = new Client({ connectionString: world.databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT count(*)::int AS n FROM orders');
        expect(rows).toEqual([{ n: CHECKOUTS }]);
      } finally {
        await client.end();
      }
    }
  }
});

/** The error code of a fresh connection attempt, or 'connected'. */
function connectError(port: number): Promise<string> {
  return new Promise((done) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
