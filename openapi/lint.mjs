// Lints the OpenAPI snapshot with Redocly (recommended rules) and Spectral (spectral:oas plus
// the conventions in .spectral.yaml), prints the counts, and fails on any Redocly error or
// any Spectral problem.
//   node openapi/lint.mjs [document]   (default openapi/openapi.json)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const document = process.argv[2] ?? join(here, 'openapi.json');
const bin = (name) => join(here, '..', 'node_modules', '.bin', name);

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw result.error;
  }
  const start = result.stdout.search(/^[[{]/m);
  if (start < 0) {
    throw new Error(`${command} printed no JSON:\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(result.stdout.slice(start));
}

const redocly = run(bin('redocly'), ['lint', '--config', join(here, 'redocly.yaml'), '--format=json', document]);
// Spectral appends a human line to its JSON on stdout; its --output file holds the JSON alone.
const scratch = mkdtempSync(join(tmpdir(), 'spectral-'));
spawnSync(bin('spectral'), ['lint', '-r', join(here, '.spectral.yaml'), '-f', 'json', '-o', join(scratch, 'out.json'), document]);
const spectral = JSON.parse(readFileSync(join(scratch, 'out.json'), 'utf8'));
rmSync(scratch, { recursive: true, force: true });

const SEVERITY = ['error', 'warning', 'info', 'hint'];
for (const problem of redocly.problems) {
  console.log(`redocly ${problem.severity} ${problem.ruleId}: ${problem.message} (${problem.location?.[0]?.pointer ?? ''})`);
}
for (const problem of spectral) {
  console.log(`spectral ${SEVERITY[problem.severity]} ${problem.code}: ${problem.message} (${problem.path.join('.')})`);
}
const count = (severity) => spectral.filter((problem) => problem.severity === severity).length;
const spectralErrors = count(0);
const spectralWarnings = count(1);
console.log(
  `redocly: ${redocly.totals.errors} errors, ${redocly.totals.warnings} warnings; ` +
    `spectral: ${spectralErrors} errors, ${spectralWarnings} warnings`,
);
process.exit(redocly.totals.errors > 0 || spectralErrors > 0 || spectralWarnings > 0 ? 1 : 0);
