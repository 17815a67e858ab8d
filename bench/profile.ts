/**
 * `npm run profile -- <scenario> [--duration S]`: a CPU profile of the service under one
 * bench scenario, as a flame graph (bench/results/profile-<scenario>.svg) and the top
 * self-time frames on stdout.
 *
 * The service runs with `node --cpu-prof`; SIGTERM makes it exit 0 and write the profile.
 * Only the samples taken while the load ran are drawn (start-up and seeding are left out).
 *
 * `node bench/dist/profile.js --convert <file.cpuprofile>` converts an existing profile.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { analyze, renderFlameGraph, type Analysis, type CpuProfile } from './lib/flamegraph.js';
import { load } from './lib/load.js';
import { rssMb, stop } from './lib/processes.js';
import { findScenario, SERVICE_SCENARIOS } from './lib/scenarios.js';
import { BENCH_DATA, seed } from './lib/seed.js';
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

const PORT = benchPort(18085);
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

function printAnalysis(analysis: Analysis): void {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  console.log(
    `\nCPU ${(analysis.busyMs / 1000).toFixed(2)} s busy, ${(analysis.idleMs / 1000).toFixed(2)} s idle, over ${(analysis.windowMs / 1000).toFixed(1)} s` +
      (analysis.windowed ? ' (the load window only)' : ' (the whole profile)'),
  );
  console.log('\ntop self time, by frame:');
  for (const frame of analysis.topFrames.slice(0, 20)) {
    console.log(
      `  ${pct(frame.share)}  ${frame.selfMs.toFixed(0).padStart(6)} ms  ${frame.name}  ${frame.location}  [${frame.group}]`,
    );
  }
  console.log('\nself time, by package:');
  for (const group of analysis.byGroup.slice(0, 15)) {
    console.log(`  ${pct(group.share)}  ${group.selfMs.toFixed(0).padStart(6)} ms  ${group.group}`);
  }
}

function convert(file: string, title: string, out: string, window?: { fromUs: number; toUs: number }): Analysis {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const analysis = analyze(profile, window);
  writeFileSync(out, renderFlameGraph(analysis, title));
  return analysis;
}

async function profileScenario(name: string, durationS: number): Promise<void> {
  const scenario = findScenario(name);
  if (!scenario) {
    throw new Error(`Unknown scenario "${name}"; one of: ${SERVICE_SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  const profileDir = join(LOG_DIR, `cpu-prof-${Date.now()}`);
  mkdirSync(profileDir, { recursive: true });
  snapshotService();
  await recreateDatabase();
  await deleteRedisKeys();
  const service = await startService({
    embedded: false,
    port: PORT,
    nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir],
    logFile: join(LOG_DIR, `profile-${name}-service.log`),
  });
  let window: { fromUs: number; toUs: number };
  try {
    const seeded = await seed({
      baseUrl: `http://127.0.0.1:${PORT}`,
      embedded: false,
      ...BENCH_DATA,
      logins: 64,
    });
    const options = {
      url: `http://127.0.0.1:${PORT}${scenario.path}`,
      connections: scenario.connections,
      durationS,
      setupRequest: scenario.setupRequest?.({ products: seeded.products, tokens: seeded.tokens }),
    };
    if (scenario.clearsCarts) {
      await deleteRedisKeys('cart:*');
    }
    await load({ ...options, durationS: 2 }); // warm-up, not in the window
    const fromUs = nowUs();
    const result = await load(options);
    window = { fromUs, toUs: nowUs() };
    console.log(
      `${scenario.name}: ${result.rps.toFixed(0)} req/s under the profiler, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ` +
        `RSS ${rssMb(service.pid).toFixed(0)} MB`,
    );
  } finally {
    const exit = await stop(service, 60_000);
    if (exit !== '0') {
      console.warn(`The service exited with ${exit}; the profile may be missing`);
    }
    await deleteRedisKeys();
    await dropDatabase();
  }
  const written = readdirSync(profileDir).find((file) => file.endsWith('.cpuprofile'));
  if (!written) {
    throw new Error(`No .cpuprofile in ${profileDir}`);
  }
  const cpuprofile = join(RESULTS_DIR, `profile-${name}.cpuprofile`);
  renameSync(join(profileDir, written), cpuprofile);
  rmSync(profileDir, { recursive: true, force: true });
  const svg = join(RESULTS_DIR, `profile-${name}.svg`);
  const analysis = convert(cpuprofile, `mall service under "${name}" (${scenario.description})`, svg, window);
  printAnalysis(analysis);
  console.log(
    `\nflame graph: bench/results/${basename(svg)} (open it in a browser); profile: bench/results/${basename(cpuprofile)}`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--convert');
  if (at >= 0) {
    const file = args[at + 1];
    const out = file.replace(/\.cpuprofile$/, '') + '.svg';
    printAnalysis(convert(file, basename(file), out));
    console.log(`\nflame graph: ${out}`);
    return;
  }
  const durationAt = args.indexOf('--duration');
  const durationS = durationAt >= 0 ? Number(args[durationAt + 1]) : 10;
  const name = args.find((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--duration') ?? 'hot-read';
  await profileScenario(name, durationS);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
