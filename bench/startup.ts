/**
 * `npm run bench:startup [-- --runs N] [--baseline <dist>]`: how long the built service
 * takes from `node dist/main.js` to `GET /health/ready` = 200, on PostgreSQL with the
 * migrations already applied (the usual restart of a deployed pod), and after a
 * `--cpu-prof` start where the time goes (bench/results/profile-startup.svg). With
 * `--baseline`, every start of this build follows one of that build (e.g. main's): start
 * by start, both meet the same load of a shared machine.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, renderFlameGraph, type CpuProfile } from './lib/flamegraph.js';
import { cpuSeconds, stop } from './lib/processes.js';
import {
  benchPort,
  copiedMain,
  dropDatabase,
  LOG_DIR,
  recreateDatabase,
  RESULTS_DIR,
  snapshotService,
  startService,
} from './lib/service.js';

const PORT = benchPort(18086);
const TARGET_MS = 1_500;

interface StartTime {
  /** Wall time from spawning `node` to the first 200 of `/health/ready`. */
  ms: number;
  /** CPU time (user + system) the service had used by then: on a shared machine the steadier figure. */
  cpuMs: number;
}

async function timeStart(logFile: string, nodeFlags: string[] = [], main?: string): Promise<StartTime> {
  const started = performance.now();
  const service = await startService({ embedded: false, port: PORT, logFile, nodeFlags, pollMs: 10, main });
  const ms = performance.now() - started;
  const cpuMs = cpuSeconds(service.pid) * 1000;
  await stop(service);
  return { ms, cpuMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const format = (time: StartTime) => `${time.ms.toFixed(0)} ms (CPU ${time.cpuMs.toFixed(0)} ms)`;

function summary(label: string, times: StartTime[]): string {
  const ms = median(times.map((time) => time.ms));
  const cpuMs = median(times.map((time) => time.cpuMs));
  const range = `${Math.min(...times.map((time) => time.ms)).toFixed(0)}–${Math.max(...times.map((time) => time.ms)).toFixed(0)} ms`;
  return (
    `${label}median of ${times.length}: ${ms.toFixed(0)} ms (${range}), CPU ${cpuMs.toFixed(0)} ms ` +
    `(target ≤ ${TARGET_MS} ms: ${ms <= TARGET_MS ? 'met' : 'missed'})`
  );
}

async function main(): Promise<void> {
  const runs = Number(option('--runs') ?? 5);
  const baselineDist = option('--baseline');
  mkdirSync(LOG_DIR, { recursive: true });
  snapshotService();
  const baseline = baselineDist ? copiedMain(baselineDist, 'baseline') : undefined;
  await recreateDatabase();
  try {
    const logFile = join(LOG_DIR, 'startup-service.log');
    if (baseline) {
      // Its first start also fills the compile cache for its copy, as the first start below does for this build.
      await timeStart(logFile, [], baseline);
    }
    const first = await timeStart(logFile);
    console.log(`first start (applies the migrations): ${first.ms.toFixed(0)} ms`);
    const times: StartTime[] = [];
    const baselineTimes: StartTime[] = [];
    for (let run = 1; run <= runs; run++) {
      const before = baseline ? await timeStart(logFile, [], baseline) : undefined;
      const time = await timeStart(logFile);
      times.push(time);
      if (before) {
        baselineTimes.push(before);
      }
      console.log(
        `start ${run}: ${format(time)} to /health/ready = 200${before ? `; baseline ${format(before)}` : ''}`,
      );
    }
    if (baseline) {
      console.log(summary('baseline: ', baselineTimes));
    }
    console.log(summary('', times));

    const profileDir = join(LOG_DIR, `startup-prof-${Date.now()}`);
    mkdirSync(profileDir, { recursive: true });
    await timeStart(logFile, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file) {
      const analysis = analyze(JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile);
      writeFileSync(join(RESULTS_DIR, 'profile-startup.svg'), renderFlameGraph(analysis, 'service start-up'));
      console.log('\nstart-up self time, by package:');
      for (const group of analysis.byGroup.slice(0, 12)) {
        console.log(
          `  ${(group.share * 100).toFixed(1).padStart(5)}%  ${group.selfMs.toFixed(0).padStart(6)} ms  ${group.group}`,
        );
      }
      console.log('flame graph: bench/results/profile-startup.svg');
    }
  } finally {
    await dropDatabase();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
