import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { signWebhook } from '../src/orders/webhooks/webhook-signature.guard';
import { createWorld, TestWorld } from './support/test-app';

/**
 * Tracing patches `http`, `pg` and `ioredis` through Node's CommonJS loader, which Jest
 * replaces with its own; so this runs the built service as a child process, as
 * production does, against a tiny OTLP/HTTP collector on a random local port.
 */
const ROOT = resolve(__dirname, '..');
const PASSWORD = 'tracing-password-Zq81';
const WEBHOOK_SECRET = 'tracing-webhook-secret';
const BAD_SIGNATURE = signWebhook('{}', 'not-the-webhook-secret');

interface Span {
  traceId: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
}
interface Export {
  path: string;
  contentType?: string;
  body: string;
}
interface LogLine {
  msg?: string;
  requestId?: string;
  traceId?: string;
  route?: string;
  userId?: number;
  responseTime?: number;
  req?: { method: string; url: string };
  res?: { statusCode: number };
}

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
};

/** Resolves `what` or throws after `ms` with `why()` appended; never waits forever. */
async function within<T>(ms: number, what: Promise<T>, why: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms\n${why()}`)), ms);
  });
  try {
    return await Promise.race([what, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Tracing and request logs of the built service', () => {
  let world: TestWorld;
  let dir: string;
  let collector: Server;
  let child: ChildProcess | undefined;
  const exports: Export[] = [];
  let stdout = '';
  let stderr = '';
  let exit: [number | null, NodeJS.Signals | null];
  let customerId: number;
  let token: string;

  const output = () => `--- stdout ---\n${stdout.slice(-3000)}\n--- stderr ---\n${stderr.slice(-3000)}`;
  const spans = (): Span[] =>
    exports
      .filter((e) => e.path === '/v1/traces')
      .flatMap((e) => JSON.parse(e.body).resourceSpans)
      .flatMap((rs: { scopeSpans: Array<{ spans: Span[] }> }) => rs.scopeSpans.flatMap((ss) => ss.spans));
  const logs = (): LogLine[] =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const completed = (requestId: string) =>
    logs().find((line) => line.requestId === requestId && line.msg === 'request completed');
  const serverSpan = (name: string) => spans().find((span) => span.name === name && span.kind === 2);

  beforeAll(async () => {
    world = await createWorld();
    dir = await mkdtemp(join(tmpdir(), 'mall-tracing-'));
    const tsc = [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')];
    await promisify(execFile)(process.execPath, [...tsc, '--outDir', dir], { cwd: ROOT, timeout: 120_000 }).catch(
      (error: { stdout?: string }) => {
        throw new Error(`the service does not compile:\n${error.stdout ?? String(error)}`);
      },
    );
    // What `npm run build` copies besides the compiled code (nest-cli.json's assets).
    for (const folder of ['storefront/views', 'storefront/assets']) {
      await cp(join(ROOT, 'src', folder), join(dir, folder), { recursive: true });
    }

    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        exports.push({
          path: req.url ?? '',
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    const collectorPort = await listen(collector);
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((done) => probe.close(done));

    child = spawn(process.execPath, [join(dir, 'main.js')], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Only what the service needs: the test runner's own DATABASE_URL must not leak in.
      env: {
        NODE_PATH: join(ROOT, 'node_modules'),
        NODE_ENV: 'test',
        PORT: String(port),
        LOG_LEVEL: 'info',
        DATA_DIR: join(dir, 'data'),
        ...(world.databaseUrl ? { DATABASE_URL: world.databaseUrl } : {}),
        ...(world.redisUrl ? { REDIS_URL: world.redisUrl } : {}),
        REDIS_KEY_PREFIX: world.keyPrefix,
        SEED_DEMO: 'true',
        WEBHOOK_SECRET,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
        // Nothing is sent on a timer within the test: spans arrive only if shutdown flushes them.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      },
    });
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    const http = request(`http://127.0.0.1:${port}`);
    const ready = async () => {
      while (child?.exitCode === null) {
        const live = await http.get('/health/live').catch(() => undefined);
        if (live?.status === 200) {
          return;
        }
        await new Promise((done) => setTimeout(done, 200));
      }
      throw new Error(`the service exited before it was ready\n${output()}`);
    };
    await within(60_000, ready(), output);

    const email = `tracing-${Date.now()}@mall.test`;
    customerId = (await http.post('/v1/auth/register').send({ email, password: PASSWORD }).expect(201)).body.id;
    token = (await http.post('/v1/auth/login').send({ email, password: PASSWORD }).expect(200)).body.accessToken;
    await http.get('/v1/auth/me').set('Authorization', `Bearer ${token}`).set('X-Request-Id', 'trace-me-1').expect(200);
    await http.get('/v1/products/1').set('X-Request-Id', 'trace-product-1').expect(200);
    await http
      .post('/v1/webhooks/payments')
      .set('Content-Type', 'application/json')
      .set('X-Signature', BAD_SIGNATURE)
      .set('X-Request-Id', 'trace-webhook-1')
      .send('{}')
      .expect(401);
    await http.get('/health/live').set('X-Request-Id', 'trace-probe-1').expect(200);

    child.kill('SIGTERM');
    exit = await within(20_000, exited, output);
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
    if (collector) {
      collector.closeAllConnections();
      await new Promise((done) => collector.close(done));
    }
    if (dir) {
      await rm(dir, { recursive: true, force: true });
    }
    await world?.drop();
  });

  it('exits 0 on SIGTERM, having flushed its spans to the collector', () => {
    expect(exit).toEqual([0, null]);
    expect(spans().length).toBeGreaterThan(0);
  });

  it('exports traces only, as OTLP/HTTP JSON from service mall-service', () => {
    expect(exports.map((e) => `${e.path} ${e.contentType}`)).toEqual(
      exports.map(() => expect.stringMatching(/^\/v1\/traces application\/json/)),
    );
    const resource = JSON.parse(exports[0].body).resourceSpans[0].resource;
    expect(resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'mall-service' } });
  });

  it("names server spans by route template and puts the request's database and Redis spans in its trace", () => {
    const product = serverSpan('GET /v1/products/:id');
    expect(product?.attributes).toContainEqual({ key: 'http.route', value: { stringValue: '/v1/products/:id' } });
    const inTrace = spans().filter((span) => span.traceId === product?.traceId && span !== product);
    expect(inTrace.map((span) => span.name)).toContainEqual(expect.stringMatching(/^pg\.query/));
    if (world.redisUrl) {
      // the cache's L2 lookup; with no REDIS_URL an in-process stand-in replaces ioredis
      expect(inTrace.map((span) => span.name)).toEqual(expect.arrayContaining(['get']));
    }
  });

  it('does not trace health probes', () => {
    expect(spans().map((span) => span.name)).not.toContainEqual(expect.stringContaining('/health'));
  });

  it('logs one JSON line per request: route, status, duration, request id, user and trace id', () => {
    const me = completed('trace-me-1');
    expect(me).toMatchObject({
      req: { method: 'GET', url: '/v1/auth/me' },
      route: '/v1/auth/me',
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      userId: customerId,
      traceId: serverSpan('GET /v1/auth/me')?.traceId,
    });
    expect(me?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(completed('trace-product-1')).toMatchObject({ route: '/v1/products/:id', traceId: expect.any(String) });
    expect(completed('trace-product-1')?.userId).toBeUndefined();
    const requestLines = logs().filter((line) => line.requestId !== undefined);
    expect(requestLines.filter((line) => line.traceId === undefined)).toEqual([]);
  });

  it('keeps secrets out of the logs and probes below info', () => {
    expect(completed('trace-webhook-1')).toMatchObject({ res: { statusCode: 401 } });
    for (const secret of [PASSWORD, token, BAD_SIGNATURE.slice(7), WEBHOOK_SECRET]) {
      expect(stdout).not.toContain(secret);
    }
    expect(completed('trace-probe-1')).toBeUndefined();
  });
});
