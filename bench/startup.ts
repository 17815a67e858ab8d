/**
 * `npm run bench:startup [-- --runs N]`: how long the built service takes from `node
 * dist/main.js` to `GET /health/ready` = 200, on PostgreSQL with the migrations already
 * applied (the usual restart of a deployed pod), and after a `--cpu-prof` start where the
 * time goes (bench/results/profile-startup.svg).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, renderFlameGraph, type CpuProfile } from './lib/flamegraph.js';
import { stop } from './lib/processes.js';
import {
  dropDatabase,
  LOG_DIR,
  recreateDatabase,
  RESULTS_DIR,
  snapshotService,
  startService,
  benchPort,
} from './lib/service.js';

const PORT = benchPort(18086);
const TARGET_MS = 1_500;

async function timeStart(logFile: string, nodeFlags: string[] = []): Promise<number> {
  const started = performance.now();
  const service = await startService({ embedded: false, port: PORT, logFile, nodeFlags, pollMs: 10 });
  const elapsed = performance.now() - started;
  await stop(service);
  return elapsed;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--runs');
  const runs = at >= 0 ? Number(process.argv[at + 1]) : 5;
  mkdirSync(LOG_DIR, { recursive: true });
  snapshotService();
  await recreateDatabase();
  try {
    const logFile = join(LOG_DIR, 'startup-service.log');
    const first = await timeStart(logFile);
    console.log(`first start (applies the migrations): ${first.toFixed(0)} ms`);
    const times: number[] = [];
    for (let run = 1; run <= runs; run++) {
      times.push(await timeStart(logFile));
      console.log(`start ${run}: ${times[times.length - 1].toFixed(0)} ms to /health/ready = 200`);
    }
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
    console.log(
      `median of ${runs}: ${median.toFixed(0)} ms (target ≤ ${TARGET_MS} ms: ${median <= TARGET_MS ? 'met' : 'missed'})`,
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
