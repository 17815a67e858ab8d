/**
 * `npm run bench [-- --quick | --embedded | --soak | --memory | --rounds N | --duration S | --only a,b]`
 *
 * `--only hot-read,hot-list` measures just those scenarios (names as in the table), for
 * working on one of them; the full table needs the full run.
 *
 * `--memory` runs only the soak (3 × 60 s of the mixed workload, RSS, V8 heap and external
 * memory after each): the memory test behind the limits the service starts with.
 *
 * Starts the built service (dist/main.js) against its own PostgreSQL database and Redis
 * prefix, seeds it, and drives it with autocannon; in the same run it measures a raw
 * node:http server and a bare NestJS app serving the same JSON, the service with
 * WORKERS=2, and pgbench running the checkout transaction. Runs alternate (service, raw,
 * bare, … per round) and the report gives medians. See docs/performance.md.
 */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { authFlood, formatAuthFlood, type AuthFloodResult } from './lib/auth-flood.js';
import { renderChart } from './lib/chart.js';
import { load, type LoadOptions } from './lib/load.js';
import { hasPgbench, pgbench } from './lib/pgbench.js';
import { cpuSeconds, heapMb, rssMb, run, startNode, stop, type Child } from './lib/processes.js';
import {
  formatTable,
  summarize,
  type Measurement,
  type PgbenchMeasurement,
  type PgbenchScenario,
  type SoakRun,
  type Target,
} from './lib/report.js';
import {
  HOT_LIST,
  HOT_READ,
  READ_CONNECTIONS,
  SERVICE_SCENARIOS,
  WRITE_CONNECTIONS,
  type Scenario,
} from './lib/scenarios.js';
import { Api, BENCH_DATA, HOT_PRODUCT_ID, seed, type Seeded } from './lib/seed.js';
import {
  deleteRedisKeys,
  dropDatabase,
  LOG_DIR,
  recreateDatabase,
  RESULTS_DIR,
  snapshotService,
  startService,
  benchPort,
} from './lib/service.js';

/** The pgbench runs measured right after each DB-bound service scenario (same data, same round). */
const PGBENCH_BESIDE: Record<string, PgbenchScenario[]> = {
  'uncached-list': ['list'],
  'order-random': ['random', 'floor-random'],
  'order-hot': ['hot', 'floor-hot'],
};

const PORTS = {
  service: benchPort(18080),
  workers2: benchPort(18081),
  raw: benchPort(18090),
  bare: benchPort(18091),
};

interface Settings {
  quick: boolean;
  embedded: boolean;
  soak: boolean;
  rounds: number;
  durationS: number;
  warmupS: number;
  products: number;
  users: number;
  logins: number;
  /** Scenario names to measure; undefined measures them all. */
  only?: Set<string>;
}

function parseArgs(argv: string[]): Settings {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string): number | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? Number(argv[at + 1]) : undefined;
  };
  const known = new Set(['--quick', '--embedded', '--soak', '--memory', '--rounds', '--duration', '--only']);
  const unknown = argv.filter((arg, i) => arg.startsWith('--') && !known.has(arg) && !known.has(argv[i - 1]));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown option ${unknown.join(' ')}; use --quick, --embedded, --soak, --memory, --rounds N, --duration S, --only a,b`,
    );
  }
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',').filter(Boolean)) : undefined;
  const names = new Set(SERVICE_SCENARIOS.map((scenario) => scenario.name));
  const misnamed = [...(only ?? [])].filter((name) => !names.has(name));
  if (only && (only.size === 0 || misnamed.length > 0)) {
    throw new Error(
      `--only takes scenario names from: ${[...names].join(', ')} (got ${misnamed.join(', ') || 'none'})`,
    );
  }
  const quick = flag('quick');
  const embedded = flag('embedded');
  const memory = flag('memory');
  return {
    quick,
    embedded,
    soak: (flag('soak') || memory) && !quick,
    rounds: memory ? 0 : (value('rounds') ?? (quick ? 1 : 3)),
    durationS: value('duration') ?? (quick ? 2 : 10),
    warmupS: quick ? 0.5 : 1,
    // The embedded database lives inside the service, so seeding goes through the API: keep it smaller there.
    products: embedded ? 2_000 : BENCH_DATA.products,
    users: embedded ? 64 : BENCH_DATA.users,
    logins: quick || embedded ? 64 : 256,
    only,
  };
}

class Bench {
  readonly measurements: Measurement[] = [];
  readonly pgbenchRuns: PgbenchMeasurement[] = [];
  readonly soak: SoakRun[] = [];
  readonly authFloods: AuthFloodResult[] = [];
  private readonly stamp = new Date().toISOString().replace(/[:.]/g, '-');
  private service!: Child;
  private seeded!: Seeded;
  private fixtureFile = '';
  /** What was measured: dist/main.js's build time and the commit (src/ dirty or not). */
  private build: Record<string, string | boolean> = {};
  /** The service's RSS when idle: right after start, and after seeding. */
  private readonly idleRss = { afterStartMb: NaN, afterSeedMb: NaN };

  constructor(private readonly settings: Settings) {}

  async run(): Promise<void> {
    const s = this.settings;
    this.build = { ...snapshotService(), ...(await gitState()) };
    mkdirSync(LOG_DIR, { recursive: true });
    const pgbenchAvailable = !s.embedded && (await hasPgbench());
    if (!s.embedded && !pgbenchAvailable) {
      console.warn('pgbench is not on the PATH: the checkout reference is skipped');
    }
    if (!s.embedded) {
      await recreateDatabase();
      await deleteRedisKeys();
    }
    console.log(
      `mode: ${s.quick ? 'quick' : 'full'}${s.embedded ? ', embedded' : ''}; ${s.rounds} round(s) of ${s.durationS} s per scenario; ${cpus().length} cores; ` +
        `service built ${this.build.builtAt} at ${this.build.commit}${this.build.srcDirty ? ' (src/ had uncommitted changes)' : ''}`,
    );
    this.service = await startService({ embedded: s.embedded, port: PORTS.service, logFile: this.log('service') });
    this.idleRss.afterStartMb = rssMb(this.service.pid);
    try {
      this.seeded = await seed({
        baseUrl: `http://127.0.0.1:${PORTS.service}`,
        embedded: s.embedded,
        products: s.products,
        users: s.users,
        logins: s.logins,
      });
      this.seeded.notes.forEach((note) => console.log(`seed: ${note}`));
      await this.captureFixture();
      this.idleRss.afterSeedMb = rssMb(this.service.pid);
      console.log(
        `service RSS: ${this.idleRss.afterStartMb.toFixed(0)} MB after start, ${this.idleRss.afterSeedMb.toFixed(0)} MB after seeding`,
      );

      for (let round = 1; round <= s.rounds; round++) {
        console.log(`\n— round ${round} of ${s.rounds}`);
        await this.round(round, pgbenchAvailable);
      }
      if (s.soak) {
        await this.soakRuns();
      }
    } finally {
      const exit = await stop(this.service);
      if (exit !== '0') {
        console.warn(`The service exited with ${exit} on SIGTERM; see ${this.service.logFile}`);
      }
      if (!s.embedded) {
        await deleteRedisKeys();
        await dropDatabase();
      }
    }
  }

  private log(name: string): string {
    return join(LOG_DIR, `${this.stamp}-${name}.log`);
  }

  /** The exact bodies the service answers, for the references to serve. */
  private async captureFixture(): Promise<void> {
    const api = new Api(`http://127.0.0.1:${PORTS.service}`);
    const fixture = { product: await api.get(HOT_READ.path), list: await api.get(HOT_LIST.path) };
    this.fixtureFile = join(LOG_DIR, `${this.stamp}-fixture.json`);
    writeFileSync(this.fixtureFile, JSON.stringify(fixture));
  }

  /**
   * One round. Each comparison is measured back to back, so machine drift hits both
   * sides alike: the hot read on the service, raw node:http, bare NestJS and WORKERS=2
   * (in an order that rotates from round to round), the hot list likewise, and each
   * checkout scenario next to pgbench running its transaction.
   */
  private async round(round: number, pgbenchAvailable: boolean): Promise<void> {
    const compared = [HOT_READ, HOT_LIST].filter((s) => this.wanted(s));
    if (compared.length > 0) {
      await this.compareHotReads(round, compared);
    }
    for (const scenario of SERVICE_SCENARIOS.filter((s) => s !== HOT_READ && s !== HOT_LIST && this.wanted(s))) {
      await this.measure(round, 'service', this.service, scenario);
      // Each DB-bound scenario beside pgbench running its SQL, and the checkouts beside their floor.
      const references = pgbenchAvailable ? (PGBENCH_BESIDE[scenario.name] ?? []) : [];
      for (const reference of references) {
        await this.pgbench(round, reference);
      }
    }
    if (this.settings.only) {
      return; // the auth flood is not a scenario: only the full run measures it
    }
    const flood = await authFlood(`http://127.0.0.1:${PORTS.service}`, round, this.settings.durationS);
    this.authFloods.push(flood);
    console.log(formatAuthFlood(flood));
  }

  /** The hot reads on the service, raw node:http, bare NestJS and WORKERS=2, back to back. */
  private async compareHotReads(round: number, scenarios: Scenario[]): Promise<void> {
    const others: Array<[Target, Child]> = [];
    try {
      for (const target of ['raw', 'bare'] as const) {
        others.push([target, await this.startReference(target)]);
      }
      if (!this.settings.embedded) {
        const workers = await startService({
          embedded: false,
          port: PORTS.workers2,
          workers: 2,
          logFile: this.log('workers2'),
        });
        others.push(['workers2', workers]);
      }
      const contenders: Array<[Target, Child]> = [['service', this.service], ...others];
      const rotated = contenders.map((_, i) => contenders[(i + round - 1) % contenders.length]);
      for (const scenario of scenarios) {
        for (const [target, child] of rotated) {
          if (target !== 'workers2' || scenario === HOT_READ) {
            await this.measure(round, target, child, scenario);
          }
        }
      }
    } finally {
      for (const [, child] of others) {
        await stop(child);
      }
    }
  }

  private wanted(scenario: Scenario): boolean {
    return this.settings.only?.has(scenario.name) ?? true;
  }

  private startReference(target: 'raw' | 'bare'): Promise<Child> {
    return startNode({
      name: target,
      args: [join(__dirname, 'references', target === 'raw' ? 'raw-http.js' : 'bare-nest.js')],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: String(PORTS[target]),
        BENCH_FIXTURE: this.fixtureFile,
      },
      port: PORTS[target],
      readyPath: HOT_READ.path,
      logFile: this.log(target),
    });
  }

  private async measure(round: number, target: Target, child: Child, scenario: Scenario): Promise<Measurement> {
    if (scenario.clearsCarts) {
      await this.clearCarts();
    }
    const options = this.loadOptions(child, scenario);
    await load({ ...options, durationS: this.settings.warmupS });
    const cpuBefore = cpuSeconds(child.pid);
    const started = performance.now();
    const result = await load(options);
    const targetCores = (cpuSeconds(child.pid) - cpuBefore) / ((performance.now() - started) / 1000);
    const unexpected = Object.entries(result.statusCodes)
      .filter(([code]) => !code.startsWith('2') && !(code === '409' && scenario.allows409))
      .reduce((total, [, count]) => total + count, 0);
    const measurement: Measurement = {
      ...result,
      round,
      target,
      scenario: scenario.name,
      connections: scenario.connections,
      rssMb: rssMb(child.pid),
      ...(target === 'service' ? await heapMb(child.port) : { heapUsedMb: NaN, heapTotalMb: NaN, externalMb: NaN }),
      targetCores,
      unexpected,
    };
    this.measurements.push(measurement);
    const heap = Number.isFinite(measurement.heapUsedMb) ? ` (heap ${measurement.heapUsedMb.toFixed(0)})` : '';
    const codes = Object.entries(result.statusCodes)
      .map(([code, n]) => `${code}×${n}`)
      .join(' ');
    console.log(
      `${`${target}:${scenario.name}`.padEnd(24)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50.toFixed(2)}  p99 ${result.p99.toFixed(2)} ms  ` +
        `errors ${result.errors}  [${codes}]  conns ${result.connectionsOpened}  RSS ${measurement.rssMb.toFixed(0)} MB${heap}  ` +
        `cores: target ${targetCores.toFixed(2)}, loadgen ${result.generatorCores.toFixed(2)}`,
    );
    if (result.errorSamples.length > 0) {
      console.log(`  socket errors, e.g.: ${result.errorSamples.join('; ')}`);
    }
    return measurement;
  }

  private loadOptions(child: Child, scenario: Scenario): LoadOptions {
    return {
      url: `http://127.0.0.1:${child.port}${scenario.path}`,
      connections: scenario.connections,
      durationS: this.settings.durationS,
      setupRequest: scenario.setupRequest?.({ products: this.seeded.products, tokens: this.seeded.tokens }),
    };
  }

  private async pgbench(round: number, scenario: PgbenchScenario): Promise<void> {
    const hot = scenario === 'hot' || scenario === 'floor-hot';
    const checkout = {
      minid: hot ? HOT_PRODUCT_ID : HOT_PRODUCT_ID + 1,
      maxid: hot ? HOT_PRODUCT_ID : this.seeded.products,
      users: this.seeded.users,
    };
    const result = await pgbench(
      scenario === 'list'
        ? {
            script: 'list',
            clients: READ_CONNECTIONS,
            durationS: this.settings.durationS,
            defines: { maxprice: 1_000_000 },
          }
        : {
            script: scenario.startsWith('floor-') ? 'checkout-floor' : 'checkout',
            clients: WRITE_CONNECTIONS,
            durationS: this.settings.durationS,
            defines: checkout,
          },
    );
    this.pgbenchRuns.push({ ...result, round, scenario });
    console.log(
      `${`pgbench:${scenario}`.padEnd(24)} ${result.tps.toFixed(0).padStart(7)} TPS    avg ${result.latencyAvgMs.toFixed(2)} ms  failed ${result.failed}`,
    );
  }

  /** Three back-to-back minutes of the mixed workload, RSS after each: is memory flat? */
  private async soakRuns(): Promise<void> {
    const mixed = SERVICE_SCENARIOS.find((scenario) => scenario.name === 'mixed')!;
    console.log('\n— soak: 3 × 60 s of the mixed workload');
    for (let run = 1; run <= 3; run++) {
      await this.clearCarts();
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(Math.round(rssMb(this.service.pid))), 5_000);
      const result = await load({ ...this.loadOptions(this.service, mixed), durationS: 60 });
      clearInterval(sampler);
      const rss = rssMb(this.service.pid);
      const { heapUsedMb, heapTotalMb, externalMb } = await heapMb(this.service.port);
      this.soak.push({
        run,
        durationS: 60,
        rps: result.rps,
        p99: result.p99,
        rssMb: rss,
        heapUsedMb,
        heapTotalMb,
        externalMb,
        rssSamplesMb: samples,
      });
      console.log(
        `soak ${run}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(1)} ms, errors ${result.errors}, RSS ${rss.toFixed(0)} MB, V8 heap ${heapUsedMb.toFixed(0)} MB in use of ${heapTotalMb.toFixed(0)}, external ${externalMb.toFixed(0)} MB (RSS every 5 s: ${samples.join(' ')})`,
      );
    }
  }

  /** Empties the carts of the logged-in users (Redis keys; over the API when embedded). */
  private async clearCarts(): Promise<void> {
    if (!this.settings.embedded) {
      await deleteRedisKeys('cart:*');
      return;
    }
    await Promise.all(
      this.seeded.tokens.map((token) =>
        fetch(`http://127.0.0.1:${PORTS.service}/v1/cart`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` },
        }).then((res) => res.arrayBuffer()),
      ),
    );
  }

  report(): { unexpected: number; errors: number } {
    const s = this.settings;
    const summary = summarize(this.measurements, this.pgbenchRuns, this.soak);
    const table = formatTable(summary);
    console.log(`\n${table}\n`);
    const ratios = this.authFloods.map((flood) => flood.ratio).sort((a, b) => a - b);
    if (ratios.length > 0) {
      console.log(
        `auth-flood: an innocent user's login p50 during another client's login flood is ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}× its idle p50 (median of ${ratios.length} round(s); the contract wants ≤ 2×)\n`,
      );
    }
    const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
    const subtitle =
      `${s.quick ? 'quick' : 'full'} run${s.embedded ? ' (embedded)' : ''}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ` +
      `median of ${s.rounds} round(s) × ${s.durationS} s, autocannon ${64}/${WRITE_CONNECTIONS} connections, ${machine.cores} cores (load generator on the same machine)`;
    const json = {
      version: 1,
      createdAt: new Date().toISOString(),
      settings: { ...s, readConnections: 64, writeConnections: WRITE_CONNECTIONS, dbPoolMax: 10 },
      machine,
      build: this.build,
      seed: {
        products: this.seeded.products,
        users: this.seeded.users,
        loggedIn: this.seeded.tokens.length,
        notes: this.seeded.notes,
      },
      summary,
      idleRss: this.idleRss,
      soak: this.soak,
      measurements: this.measurements,
      pgbench: this.pgbenchRuns,
      authFlood: this.authFloods,
      table,
    };
    const body = JSON.stringify(json, null, 2) + '\n';
    const chart = renderChart(summary, subtitle);
    writeFileSync(join(RESULTS_DIR, `${this.stamp}.json`), body);
    writeFileSync(join(RESULTS_DIR, `${this.stamp}.svg`), chart);
    const complete = !s.quick && !s.embedded && s.rounds > 0 && !s.only;
    if (complete) {
      writeFileSync(join(RESULTS_DIR, 'latest.json'), body);
      writeFileSync(join(RESULTS_DIR, 'latest.svg'), chart);
    }
    console.log(
      `results: bench/results/${this.stamp}.json and .svg${complete ? ' (and latest.json, latest.svg)' : ''}`,
    );
    return {
      unexpected: this.measurements.reduce((total, m) => total + m.unexpected, 0),
      errors: this.measurements.reduce((total, m) => total + m.errors, 0),
    };
  }
}

async function gitState(): Promise<{ commit: string; srcDirty: boolean }> {
  try {
    const commit = (await run('git', ['rev-parse', '--short', 'HEAD'])).trim();
    const dirty = (await run('git', ['status', '--porcelain', '--', 'src'])).trim() !== '';
    return { commit, srcDirty: dirty };
  } catch {
    return { commit: 'unknown', srcDirty: false };
  }
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  const bench = new Bench(settings);
  await bench.run();
  const { unexpected, errors } = bench.report();
  if (unexpected > 0 || errors > 0) {
    const message = `${errors} socket errors and ${unexpected} unexpected non-2xx answers`;
    if (settings.quick) {
      console.error(`FAILED: ${message}`);
      process.exitCode = 1;
    } else {
      console.warn(`warning: ${message}`);
    }
  }
  // autocannon can leave timers behind; do not wait for them.
  await sleep(100);
  process.exit(process.exitCode ?? 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
