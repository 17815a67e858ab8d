import type { LoadResult, RouteLatency } from './load.js';
import type { PgbenchResult } from './pgbench.js';

export type Target = 'service' | 'workers2' | 'raw' | 'bare';

/** One autocannon run against one process, as recorded in the JSON. */
export interface Measurement extends LoadResult {
  round: number;
  target: Target;
  scenario: string;
  connections: number;
  /** VmRSS of the target process (and its workers) right after the run. */
  rssMb: number;
  /** V8 heap in use and memory outside it (Buffers, …) right after the run; the service only (its /metrics). */
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** CPU cores the target used while the run lasted. */
  targetCores: number;
  /** Non-2xx answers the contract does not expect here (everything but checkout's 409). */
  unexpected: number;
}

/**
 * A pgbench run beside a service scenario: `random` / `hot` run the service's checkout
 * SQL, `floor-random` / `floor-hot` the essential work of a checkout, `list` the list's
 * page and count queries.
 */
export type PgbenchScenario = 'random' | 'hot' | 'floor-random' | 'floor-hot' | 'list';

export interface PgbenchMeasurement extends PgbenchResult {
  round: number;
  scenario: PgbenchScenario;
}

export interface SoakRun {
  run: number;
  durationS: number;
  rps: number;
  p99: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  /** Memory V8 tracks outside its heap (Buffers, sockets' buffers). */
  externalMb?: number;
  /** RSS every 5 s during the run. */
  rssSamplesMb: number[];
}

export interface Row {
  key: string;
  target: Target | 'pgbench';
  scenario: string;
  connections: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  unexpected: number;
  statusCodes: Record<string, number>;
  connectionsOpened: number;
  requests: number;
  rssMb: number;
  heapUsedMb: number;
  targetCores: number;
  generatorCores: number;
  /** pgbench reports only an average latency. */
  latencyAvgMs?: number;
}

export interface TargetCheck {
  name: string;
  goal: string;
  value: string;
  met: boolean | null;
}

/** One route of a scenario whose requests name their routes (`mixed`), over all rounds. */
export interface RouteRow {
  route: string;
  /** Its answers, and their share of the scenario's answers. */
  requests: number;
  share: number;
  /** Medians over the rounds, of latencies over its 2xx answers. */
  p50: number;
  p99: number;
}

export interface Summary {
  rows: Row[];
  ratios: Record<string, number>;
  targets: TargetCheck[];
  /** By row key, the scenarios that have routes: their latency per route. */
  byRoute: Record<string, RouteRow[]>;
}

const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) {
    return NaN;
  }
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const sum = (values: number[]): number => values.reduce((total, v) => total + v, 0);

export const keyOf = (target: Target, scenario: string): string =>
  target === 'service' ? scenario : `${target}:${scenario}`;

/** Medians over rounds of every figure; error counts are summed; ratios are medians of per-round ratios. */
export function summarize(measurements: Measurement[], pgbenchRuns: PgbenchMeasurement[], soak: SoakRun[]): Summary {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = keyOf(m.target, m.scenario);
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const rows: Row[] = [...groups.entries()].map(([key, runs]) => {
    const statusCodes: Record<string, number> = {};
    for (const run of runs) {
      for (const [code, count] of Object.entries(run.statusCodes)) {
        statusCodes[code] = (statusCodes[code] ?? 0) + count;
      }
    }
    return {
      key,
      target: runs[0].target,
      scenario: runs[0].scenario,
      connections: runs[0].connections,
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p95: median(runs.map((r) => r.p95)),
      p99: median(runs.map((r) => r.p99)),
      errors: sum(runs.map((r) => r.errors)),
      non2xx: sum(runs.map((r) => r.non2xx)),
      unexpected: sum(runs.map((r) => r.unexpected)),
      statusCodes,
      connectionsOpened: sum(runs.map((r) => r.connectionsOpened)),
      requests: sum(runs.map((r) => r.requests)),
      rssMb: median(runs.map((r) => r.rssMb)),
      heapUsedMb: median(runs.map((r) => r.heapUsedMb)),
      targetCores: median(runs.map((r) => r.targetCores)),
      generatorCores: median(runs.map((r) => r.generatorCores)),
    };
  });
  for (const scenario of ['random', 'floor-random', 'hot', 'floor-hot', 'list'] as const) {
    const runs = pgbenchRuns.filter((r) => r.scenario === scenario);
    if (runs.length > 0) {
      const latency = median(runs.map((r) => r.latencyAvgMs));
      rows.push({
        key: `pgbench:${scenario}`,
        target: 'pgbench',
        scenario,
        connections: runs[0].clients,
        rps: median(runs.map((r) => r.tps)),
        latencyAvgMs: latency,
        p50: NaN,
        p95: NaN,
        p99: NaN,
        errors: sum(runs.map((r) => r.failed)),
        non2xx: 0,
        unexpected: 0,
        statusCodes: {},
        connectionsOpened: NaN,
        requests: NaN,
        rssMb: NaN,
        heapUsedMb: NaN,
        targetCores: NaN,
        generatorCores: NaN,
      });
    }
  }

  const perRound = (numerator: string, denominator: string): number => {
    const rounds = new Set(measurements.map((m) => m.round));
    const value = (key: string, round: number): number => {
      if (key.startsWith('pgbench:')) {
        return pgbenchRuns.find((r) => `pgbench:${r.scenario}` === key && r.round === round)?.tps ?? NaN;
      }
      return measurements.find((m) => keyOf(m.target, m.scenario) === key && m.round === round)?.rps ?? NaN;
    };
    return median([...rounds].map((round) => value(numerator, round) / value(denominator, round)));
  };
  const hotRead = rows.find((r) => r.key === 'hot-read');
  const tailOf = (key: string) => {
    const row = rows.find((r) => r.key === key);
    return row ? row.p99 / row.p50 : NaN;
  };
  const ratios: Record<string, number> = {
    'hot-read / bare': perRound('hot-read', 'bare:hot-read'),
    'hot-read / raw': perRound('hot-read', 'raw:hot-read'),
    'bare / raw (hot-read)': perRound('bare:hot-read', 'raw:hot-read'),
    'hot-list / bare': perRound('hot-list', 'bare:hot-list'),
    'hot-list / raw': perRound('hot-list', 'raw:hot-list'),
    'order-random / its own SQL (pgbench random)': perRound('order-random', 'pgbench:random'),
    'order-random / floor (pgbench floor-random)': perRound('order-random', 'pgbench:floor-random'),
    'order-hot / its own SQL (pgbench hot)': perRound('order-hot', 'pgbench:hot'),
    'order-hot / floor (pgbench floor-hot)': perRound('order-hot', 'pgbench:floor-hot'),
    'uncached-list / its SQL = floor (pgbench list)': perRound('uncached-list', 'pgbench:list'),
    'WORKERS=2 / WORKERS=1 (hot-read)': perRound('workers2:hot-read', 'hot-read'),
    'product-page / hot-read': perRound('product-page', 'hot-read'),
    'catalog-page / hot-list': perRound('catalog-page', 'hot-list'),
    'hot-read p99 / p50': hotRead ? hotRead.p99 / hotRead.p50 : NaN,
    // The references' own tails on the same machine: what the load generator's share of the cores leaves.
    'raw:hot-read p99 / p50': tailOf('raw:hot-read'),
    'bare:hot-read p99 / p50': tailOf('bare:hot-read'),
    'mixed p99 / p50': tailOf('mixed'),
  };
  const byRoute: Record<string, RouteRow[]> = {};
  for (const [key, runs] of groups) {
    const routes = summarizeRoutes(runs);
    if (routes.length > 0) {
      byRoute[key] = routes;
    }
  }
  return { rows, ratios, targets: checkTargets(rows, ratios, soak), byRoute };
}

/** Per route over the rounds of one scenario: answers summed, percentiles the median of each round's; largest share first. */
export function summarizeRoutes(runs: Array<Pick<LoadResult, 'byRoute'>>): RouteRow[] {
  const perRoute = new Map<string, RouteLatency[]>();
  for (const run of runs) {
    for (const route of run.byRoute ?? []) {
      perRoute.set(route.route, [...(perRoute.get(route.route) ?? []), route]);
    }
  }
  const total = sum([...perRoute.values()].flat().map((route) => route.requests));
  return [...perRoute]
    .map(([route, rounds]) => {
      const requests = sum(rounds.map((r) => r.requests));
      return {
        route,
        requests,
        share: requests / total,
        p50: median(rounds.map((r) => r.p50)),
        p99: median(rounds.map((r) => r.p99)),
      };
    })
    .sort((a, b) => b.requests - a.requests);
}

function checkTargets(rows: Row[], ratios: Record<string, number>, soak: SoakRun[]): TargetCheck[] {
  const cpu = (key: string): number => {
    const row = rows.find((r) => r.key === key);
    return row ? cpuMicrosPerRequest(row) : NaN;
  };
  const orderCpu = cpu('order-random');
  const cartVsBare = cpu('cart-add') / cpu('bare:hot-read');
  const ratio = (name: string, goal: string, key: string, atLeast: number, unit: string): TargetCheck => {
    const value = ratios[key];
    return {
      name,
      goal,
      value: Number.isFinite(value) ? `${value.toFixed(2)}× ${unit}` : 'not measured',
      met: Number.isFinite(value) ? value >= atLeast : null,
    };
  };
  const tail = ratios['hot-read p99 / p50'];
  const mixedTail = ratios['mixed p99 / p50'];
  const mixedCodes = rows.find((r) => r.key === 'mixed')?.statusCodes ?? {};
  const mixed5xx = sum(
    Object.entries(mixedCodes)
      .filter(([code]) => code.startsWith('5'))
      .map(([, n]) => n),
  );
  const checks: TargetCheck[] = [
    ratio('hot read vs bare NestJS', '≥ 1.0×', 'hot-read / bare', 1.0, 'bare'),
    ratio('hot list vs bare NestJS', '≥ 0.8×', 'hot-list / bare', 0.8, 'bare'),
    ratio('checkout vs its floor', '≥ 0.5×', 'order-random / floor (pgbench floor-random)', 0.5, 'floor'),
    ratio('hot-product checkout vs its floor', '≥ 0.8×', 'order-hot / floor (pgbench floor-hot)', 0.8, 'floor'),
    ratio(
      'uncached list vs pgbench page + count',
      '≥ 0.5×',
      'uncached-list / its SQL = floor (pgbench list)',
      0.5,
      'pgbench',
    ),
    {
      name: 'CPU per checkout (random products)',
      goal: '≤ 300 µs',
      value: Number.isFinite(orderCpu) ? `${orderCpu.toFixed(0)} µs` : 'not measured',
      met: Number.isFinite(orderCpu) ? orderCpu <= 300 : null,
    },
    {
      name: 'CPU per cart add vs bare NestJS per hot read',
      goal: '≤ 4×',
      value: Number.isFinite(cartVsBare) ? `${cartVsBare.toFixed(1)}×` : 'not measured',
      met: Number.isFinite(cartVsBare) ? cartVsBare <= 4 : null,
    },
    ratio('cached product page vs its JSON hot read', '≥ 0.5×', 'product-page / hot-read', 0.5, 'hot read'),
    {
      name: 'hot read tail',
      goal: 'p99 ≤ 3× p50',
      value: Number.isFinite(tail) ? `p99 = ${tail.toFixed(2)}× p50` : 'not measured',
      met: Number.isFinite(tail) ? tail <= 3 : null,
    },
    {
      name: 'mixed workload tail, no 5xx',
      goal: 'p99 ≤ 5× p50, 0 × 5xx',
      value: Number.isFinite(mixedTail) ? `p99 = ${mixedTail.toFixed(2)}× p50, ${mixed5xx} × 5xx` : 'not measured',
      met: Number.isFinite(mixedTail) ? mixedTail <= 5 && mixed5xx === 0 : null,
    },
  ];
  if (soak.length > 0) {
    const rss = soak.map((run) => run.rssMb);
    const growth = rss[rss.length - 1] / rss[0] - 1;
    checks.push({
      name: 'RSS after 60 s of mixed load, 3 runs',
      goal: '≤ 250 MB and flat (last ≤ first + 10%)',
      value:
        `${rss.map((mb) => mb.toFixed(0)).join(' → ')} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%); ` +
        `V8 heap in use ${soak.map((run) => run.heapUsedMb.toFixed(0)).join(' → ')} MB`,
      met: Math.max(...rss) <= 250 && growth <= 0.1,
    });
  } else {
    checks.push({
      name: 'RSS after 60 s of mixed load, 3 runs',
      goal: '≤ 250 MB and flat',
      value: 'not measured (run with --soak)',
      met: null,
    });
  }
  checks.push({
    name: '500 lookups of a missing id, 200 concurrent of a cold one',
    goal: '≤ 1 database query per instance',
    value: 'proven by test/product-cache.e2e-spec.ts',
    met: null,
  });
  return checks;
}

/** CPU time the target spent per answered request: its cores × 1e6 / req/s. */
export const cpuMicrosPerRequest = (row: Pick<Row, 'targetCores' | 'rps'>): number => (row.targetCores * 1e6) / row.rps;

const fmt = (value: number, digits = 1): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';

/** The summary as a plain-text table (the source of docs/performance.md's results). */
export function formatTable(summary: Summary): string {
  const header = [
    'scenario',
    'conns',
    'req/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'errors',
    'non-2xx',
    'conns opened / requests',
    'RSS (heap) MB',
    'target cores',
    'CPU µs/req',
    'loadgen cores',
  ];
  const lines = summary.rows.map((row) => [
    row.key,
    String(row.connections),
    fmt(row.rps, 0),
    row.latencyAvgMs === undefined ? fmt(row.p50, 2) : `avg ${fmt(row.latencyAvgMs, 2)}`,
    fmt(row.p95, 2),
    fmt(row.p99, 2),
    String(row.errors),
    row.non2xx > 0
      ? `${row.non2xx} (${Object.entries(row.statusCodes)
          .filter(([code]) => !code.startsWith('2'))
          .map(([code, n]) => `${n}×${code}`)
          .join(' ')})`
      : '0',
    Number.isFinite(row.requests) ? `${row.connectionsOpened} / ${row.requests.toLocaleString('en-US')}` : '—',
    Number.isFinite(row.heapUsedMb) ? `${fmt(row.rssMb, 0)} (${fmt(row.heapUsedMb, 0)})` : fmt(row.rssMb, 0),
    fmt(row.targetCores, 2),
    fmt(cpuMicrosPerRequest(row), 0),
    fmt(row.generatorCores, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const render = (cells: string[]) =>
    '| ' + cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ') + ' |';
  const separator =
    '|' + widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|') + '|';
  const table = [render(header), separator, ...lines.map(render)].join('\n');

  const ratios = Object.entries(summary.ratios)
    .map(([name, value]) => `| ${name} | ${Number.isFinite(value) ? value.toFixed(2) : '—'} |`)
    .join('\n');
  const targets = summary.targets
    .map((t) => `| ${t.name} | ${t.goal} | ${t.value} | ${t.met === null ? '—' : t.met ? 'met' : 'NOT met'} |`)
    .join('\n');
  const routes = Object.entries(summary.byRoute).flatMap(([key, rows]) => [
    '',
    `| ${key} by route | share | p50 ms | p99 ms |`,
    '| --- | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row.route} | ${fmt(row.share * 100, 1)} % | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} |`),
  ]);
  return [
    table,
    '',
    '| ratio (median of per-round ratios) | value |',
    '| --- | ---: |',
    ratios,
    '',
    '| target | goal | this run | |',
    '| --- | --- | --- | --- |',
    targets,
    ...routes,
  ].join('\n');
}
