/**
 * `npm run bench:startup [-- --runs N]`: how long the built service takes from `node
 * dist/main.js` to `GET /health/ready` = 200, on PostgreSQL with the migrations already
 * applied (the usual restart of a deployed pod), and after a `--cpu-prof` start where the
 * time goes (bench/results/profile-startup.svg).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, renderFlameGraph, type CpuProfile } from './lib/flamegraph.js';
import { cpuSeconds, stop } from './lib/processes.js';
import { dropDatabase, LOG_DIR, recreateDatabase, RESULTS_DIR, snapshotService, startService } from './lib/service.js';

const PORT = 18086;
const TARGET_MS = 1_500;

interface StartTime {
  /** Wall time from spawning `node` to the first 200 of `/health/ready`. */
  ms: number;
  /** CPU time (user + system) the service had used by then: on a shared machine the steadier figure. */
  cpuMs: number;
}

async function timeStart(logFile: string, nodeFlags: string[] = []): Promise<StartTime> {
  const started = performance.now();
  const service = await startService({ embedded: false, port: PORT, logFile, nodeFlags, pollMs: 10 });
  const ms = performance.now() - started;
  const cpuMs = cpuSeconds(service.pid) * 1000;
  await stop(service);
  return { ms, cpuMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const at = process.argv.indexOf('--runs');
  const runs = at >= 0 ? Number(process.argv[at + 1]) : 5;
  mkdirSync(LOG_DIR, { recursive: true });
  snapshotService();
  await recreateDatabase();
  try {
    const logFile = join(LOG_DIR, 'startup-service.log');
    const first = await timeStart(logFile);
    console.log(`first start (applies the migrations): ${first.ms.toFixed(0)} ms`);
    const times: StartTime[] = [];
    for (let run = 1; run <= runs; run++) {
      const time = await timeStart(logFile);
      times.push(time);
      console.log(`start ${run}: ${time.ms.toFixed(0)} ms to /health/ready = 200 (CPU ${time.cpuMs.toFixed(0)} ms)`);
    }
    const ms = median(times.map((time) => time.ms));
    const cpuMs = median(times.map((time) => time.cpuMs));
    console.log(
      `median of ${runs}: ${ms.toFixed(0)} ms, CPU ${cpuMs.toFixed(0)} ms ` +
        `(target ≤ ${TARGET_MS} ms: ${ms <= TARGET_MS ? 'met' : 'missed'})`,
    );

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
