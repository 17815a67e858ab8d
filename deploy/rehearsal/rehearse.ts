// `npm run canary:rehearse`: the production canary's decision, rehearsed on one machine.
// nginx routes as ingress-nginx would for the Rollout (X-Canary: true, and a weight of the
// rest) to a stable and a canary instance of the built service on a database and Redis
// prefix of their own; Prometheus scrapes them; customers place orders through nginx; then
// the AnalysisTemplate of deploy/k8s/overlays/production, its own queries and conditions,
// decides. Twice: a healthy canary must be promoted, and a canary whose database
// connections are cut (so its checkouts answer 503) aborted. Exits 1 if either decision is
// wrong, 2 if the rehearsal could not run or overran its time. Loopback only.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { Client } from 'pg';
import { run, startNode, stop, type Child } from '../../bench/lib/processes';
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy';
import { decide, loadAnalysisTemplate, runAnalysis, type Measurement } from '../tools/analysis';
import { repositoryRoot } from '../tools/root';
import { startExternal, stopExternal, waitForUrl, type External } from './external';
import { placeOrders, signUp, type Tally } from './load';
import { nginxConfig } from './nginx-config';
import { prometheusConfig } from './prometheus-config';

const ROOT = repositoryRoot();
const PG_SERVER_URL = process.env.REHEARSAL_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.REHEARSAL_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS_URL = process.env.REHEARSAL_NATS_URL ?? 'nats://127.0.0.1:4222';
/** Seconds of orders per phase; the whole rehearsal stays under TIME_LIMIT_S. */
const LOAD_S = Number(process.env.REHEARSAL_LOAD_S ?? 30);
const TIME_LIMIT_S = Number(process.env.REHEARSAL_TIME_LIMIT_S ?? 170);
/** The Rollout's second weight step. */
const WEIGHT_PERCENT = 20;
const CUSTOMERS = 12;
const TESTERS = 2;
const NAMESPACE = 'mall-rehearsal';
const HASHES = { stable: 'stable-v1', healthy: 'canary-v2', faulty: 'canary-v2-faulty' };
const ADMIN = { email: 'admin@rehearsal.test', password: 'rehearsal-admin-password' };

const program = (path: string, name: string) => (existsSync(path) ? path : name);
const NGINX = process.env.REHEARSAL_NGINX ?? program('/usr/sbin/nginx', 'nginx');
const PROMETHEUS = process.env.REHEARSAL_PROMETHEUS ?? program('/usr/bin/prometheus', 'prometheus');

interface Phase {
  title: string;
  canaryHash: string;
  expected: 'promote' | 'abort';
  port: number;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

async function admin<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${PG_SERVER_URL}/${database}` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await redis.unlink(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '—');
const show = (value: Measurement['value']) =>
  value === undefined ? '—' : (Array.isArray(value) ? value : [value]).map((v) => Number(v.toFixed(4))).join(', ');

function printPhase(phase: Phase, tally: Tally, measurements: Measurement[], decision: string): void {
  console.log(`\n== ${phase.title}`);
  for (const [pool, seen] of Object.entries(tally).sort()) {
    console.log(
      `  seen by the load generator, ${pool.padEnd(10)} ${String(seen.requests).padStart(6)} requests, ` +
        `5xx ${percent(seen.errors5xx, seen.requests).padStart(7)}, orders created per checkout ${percent(seen.ordersCreated, seen.checkouts)}`,
    );
  }
  for (const m of measurements) {
    console.log(
      `  ${m.metric.padEnd(26)} = ${show(m.value).padEnd(10)} → ${m.phase}${m.message ? ` (${m.message})` : ''}`,
    );
  }
  const verdict = decision === phase.expected ? 'as expected' : `WRONG: expected ${phase.expected}`;
  console.log(`  decision: ${decision.toUpperCase()} (${verdict})`);
}

async function rehearse(cleanups: (() => Promise<unknown>)[]): Promise<boolean> {
  const template = loadAnalysisTemplate(join(ROOT, 'deploy/k8s/overlays/production/analysis-template.yaml'));
  const dir = mkdtempSync(join(tmpdir(), 'mall-canary-'));
  chmodSync(dir, 0o755);
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const id = `${Date.now()}_${randomBytes(3).toString('hex')}`;
  const database = `mall_canary_${id}`;
  const keyPrefix = `mall-canary:${id}:`;
  console.log(`canary rehearsal: database ${database}, Redis prefix ${keyPrefix}, logs in ${dir}`);

  await admin('postgres', (client) => client.query(`CREATE DATABASE ${database}`));
  cleanups.push(() => admin('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)));
  cleanups.push(() => deleteRedisKeys(keyPrefix));

  const databaseUrl = `${PG_SERVER_URL}/${database}`;
  const pg = new URL(PG_SERVER_URL);
  const proxy: TcpProxy = await startTcpProxy(Number(pg.port || 5432), pg.hostname);
  cleanups.push(() => proxy.close());
  const faultyUrl = new URL(databaseUrl);
  faultyUrl.host = `127.0.0.1:${proxy.port}`;

  // What the ConfigMap and the Secret give a pod, for this machine.
  const env = (port: number, url: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: url,
    REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    ...(NATS_URL ? { NATS_URL } : {}),
    JWT_SECRET: `rehearsal-${randomBytes(24).toString('hex')}`.slice(0, 48).padEnd(48, '0'),
    WEBHOOK_SECRET: 'rehearsal-webhook-secret-0123',
    MIGRATIONS_RUN: 'false',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'loopback',
    // One client address (nginx's) carries every customer: no per-client budget here.
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    LIST_LOADS_PER_CLIENT: '0',
    ...extra,
  });
  const jwt = env(0, '').JWT_SECRET!;
  const withSecret = (e: NodeJS.ProcessEnv) => ({ ...e, JWT_SECRET: jwt });

  // The migration Job first: the instances, as in the cluster, do not migrate.
  console.log('migrating (node dist/migrate.js, as the Job does)');
  await run(process.execPath, [join(ROOT, 'dist/migrate.js')], withSecret(env(0, databaseUrl)));

  const ports = { stable: await freePort(), healthy: await freePort(), faulty: await freePort() };
  const start = (name: string, port: number, url: string, extra?: Record<string, string>) =>
    startNode({
      name,
      args: [join(ROOT, 'dist/main.js')],
      env: withSecret(env(port, url, extra)),
      port,
      readyPath: '/health/ready',
      logFile: join(dir, `${name}.log`),
      timeoutMs: 90_000,
    });
  const services: Child[] = await Promise.all([
    start('stable', ports.stable, databaseUrl, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }),
    start('canary', ports.healthy, databaseUrl),
    start('canary-faulty', ports.faulty, faultyUrl.toString()),
  ]);
  cleanups.push(() => Promise.all(services.map((child) => stop(child))));
  console.log(`stable on :${ports.stable}, canary on :${ports.healthy}, faulty canary on :${ports.faulty}`);

  const phases: Phase[] = [
    { title: 'healthy canary', canaryHash: HASHES.healthy, expected: 'promote', port: await freePort() },
    {
      title: 'faulty canary (its database connections cut)',
      canaryHash: HASHES.faulty,
      expected: 'abort',
      port: await freePort(),
    },
  ];
  const prefix = join(dir, 'nginx');
  for (const sub of ['tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) {
    mkdirSync(join(prefix, sub), { recursive: true, mode: 0o755 });
  }
  writeFileSync(
    join(prefix, 'nginx.conf'),
    nginxConfig({
      prefix,
      stablePort: ports.stable,
      phases: [
        { listenPort: phases[0].port, canaryPort: ports.healthy },
        { listenPort: phases[1].port, canaryPort: ports.faulty },
      ],
      weightPercent: WEIGHT_PERCENT,
    }),
  );
  // -e: also the log of start-up, before the config is read (the packaged path is root's).
  const nginxArgs = ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')];
  await run(NGINX, ['-t', '-q', ...nginxArgs]);
  const nginx: External = startExternal('nginx', NGINX, [...nginxArgs, '-g', 'daemon off;'], join(dir, 'nginx.log'));
  cleanups.push(() => stopExternal(nginx));
  await Promise.all(phases.map((phase) => waitForUrl(nginx, `http://127.0.0.1:${phase.port}/health/live`, 15_000)));

  const prometheusPort = await freePort();
  const prometheusAddress = `http://127.0.0.1:${prometheusPort}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    prometheusConfig(NAMESPACE, [
      { port: ports.stable, podTemplateHash: HASHES.stable },
      { port: ports.healthy, podTemplateHash: HASHES.healthy },
      { port: ports.faulty, podTemplateHash: HASHES.faulty },
    ]),
  );
  const prometheus = startExternal(
    'prometheus',
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    join(dir, 'prometheus.log'),
  );
  cleanups.push(() => stopExternal(prometheus));
  await waitForUrl(prometheus, `${prometheusAddress}/-/ready`, 30_000);
  await waitForUrl(
    prometheus,
    `${prometheusAddress}/api/v1/query?query=${encodeURIComponent('count(up == 1)')}`,
    30_000,
    (body) =>
      (JSON.parse(body) as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1] === '3',
  );
  console.log(
    `nginx on :${phases[0].port} and :${phases[1].port} (weight ${WEIGHT_PERCENT} %), Prometheus on :${prometheusPort}`,
  );

  // A product that cannot sell out, and customers (two of them testers sending X-Canary: true).
  const stableBase = `http://127.0.0.1:${ports.stable}`;
  const login = await fetch(`${stableBase}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const created = await fetch(`${stableBase}/v1/products`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ sku: `CANARY-${id}`, name: 'Rehearsal teapot', price: 1990, stock: 100_000_000 }),
  });
  if (created.status !== 201) {
    throw new Error(`creating the product answered ${created.status}: ${await created.text()}`);
  }
  const productId = ((await created.json()) as { id: number }).id;
  const customers = await signUp(`http://127.0.0.1:${phases[0].port}`, CUSTOMERS, TESTERS);

  let right = true;
  for (const [index, phase] of phases.entries()) {
    if (index === 1) {
      // The fault: the faulty canary's database connections are cut, and new ones refused.
      proxy.cut();
    }
    console.log(`\n${phase.title}: ${LOAD_S} s of orders through nginx`);
    const tally = await placeOrders(`http://127.0.0.1:${phase.port}`, customers, productId, LOAD_S * 1000);
    await sleep(2_500); // two more scrapes: the last answers are counted
    const measurements = await runAnalysis(template, {
      namespace: NAMESPACE,
      'canary-hash': phase.canaryHash,
      'stable-hash': HASHES.stable,
      'prometheus-address': prometheusAddress,
    });
    const decision = decide(template, measurements);
    printPhase(phase, tally, measurements, decision);
    right &&= decision === phase.expected;
  }
  return right;
}

async function main(): Promise<number> {
  for (const [name, path, flag] of [
    ['nginx', NGINX, '-v'],
    ['prometheus', PROMETHEUS, '--version'],
  ] as const) {
    if (
      !(await run(path, [flag]).then(
        () => true,
        () => false,
      ))
    ) {
      console.error(`${name} is not installed (${path}); the rehearsal needs it`);
      return 2;
    }
  }
  if (!existsSync(join(ROOT, 'dist/main.js')) || !existsSync(join(ROOT, 'dist/migrate.js'))) {
    console.error('dist/ is not built: run `npm run build` first (npm run canary:rehearse does)');
    return 2;
  }
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error(`cleaning up: ${(error as Error).message}`));
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<number>((done) => {
    timer = setTimeout(() => {
      console.error(`the rehearsal overran its ${TIME_LIMIT_S} s`);
      done(2);
    }, TIME_LIMIT_S * 1000);
  });
  const started = Date.now();
  try {
    const code = await Promise.race([
      rehearse(cleanups).then(
        (right) => (right ? 0 : 1),
        (error: unknown) => {
          console.error(`the rehearsal could not run: ${(error as Error).stack ?? String(error)}`);
          return 2;
        },
      ),
      overran,
    ]);
    console.log(
      `\ncanary rehearsal ${code === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    return code;
  } finally {
    clearTimeout(timer);
    await cleanUp();
  }
}

void main().then((code) => process.exit(code));
