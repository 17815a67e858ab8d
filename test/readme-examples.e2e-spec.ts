import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createWorld, startApp, type TestApp, type TestWorld } from './support/test-app';

/**
 * Every ```sh block of the README runs, as written, against a started service, so none
 * can rot; a block that cannot run here says why in a `<!-- not-run: reason -->` line
 * right above it. The only rewrite is the address: `localhost:8080` becomes the port the
 * test's service listens on.
 */
interface ShellBlock {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  notRun?: string;
}

const README = readFileSync(join(__dirname, '../README.md'), 'utf8');
const NOT_RUN = /^<!--\s*not-run:\s*(.+?)\s*-->$/;

function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash|shell)\s*$/.test(lines[i])) {
      continue;
    }
    let previous = i - 1;
    while (previous >= 0 && lines[previous].trim() === '') {
      previous--;
    }
    const end = lines.indexOf('```', i + 1);
    if (end < 0) {
      throw new Error(`README.md:${i + 1}: the shell block is never closed`);
    }
    const notRun = previous >= 0 ? NOT_RUN.exec(lines[previous].trim())?.[1] : undefined;
    blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n'), notRun });
    i = end;
  }
  return blocks;
}

/** Runs a block in bash: the first failing command (any curl answering 4xx/5xx) fails it. */
function runBlock(code: string, port: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = [
    'set -euo pipefail',
    // --fail-with-body: an error status fails the command and still shows the error body.
    'curl() { command curl --fail-with-body --show-error "$@"; }',
    'set -x',
    code.replaceAll('localhost:8080', `127.0.0.1:${port}`),
  ].join('\n');
  return new Promise((done, fail) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (exitCode) => done({ code: exitCode, stdout, stderr }));
  });
}

describe('README examples', () => {
  const blocks = shellBlocks(README);
  const runnable = blocks.filter((block) => block.notRun === undefined);
  let world: TestWorld;
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    world = await createWorld();
    // As `npm run serve` starts it: the demo catalog, the development webhook secret.
    t = await startApp(world, {
      SEED_DEMO: 'true',
      WEBHOOK_SECRET: undefined,
      ADMIN_EMAIL: undefined,
      ADMIN_PASSWORD: undefined,
    });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await t?.close();
    await world?.drop();
  });

  it('runs the shell blocks or says why not', () => {
    const skipped = blocks.filter((block) => block.notRun !== undefined);
    console.log(
      `README.md: ${blocks.length} shell blocks, ${runnable.length} run, ${skipped.length} not run:\n` +
        skipped.map((block) => `  line ${block.line}: ${block.notRun}`).join('\n'),
    );
    expect(runnable.length).toBeGreaterThan(0);
    expect(runnable.some((block) => block.code.includes('curl'))).toBe(true);
  });

  it.each(runnable.map((block) => [block.line, block] as const))(
    'the block at README.md:%i runs as written',
    async (_line, block) => {
      const result = await runBlock(block.code, port);
      if (result.code !== 0) {
        throw new Error(
          `README.md:${block.line}: exit code ${result.code}\n--- trace and errors ---\n${result.stderr.slice(-4_000)}` +
            `\n--- output ---\n${result.stdout.slice(-2_000)}`,
        );
      }
      const curls = (block.code.match(/(^|\$\(|\s)curl\s/g) ?? []).length;
      const ran = (result.stderr.match(/^\++ command curl /gm) ?? []).length;
      expect(ran).toBe(curls);
    },
  );

  it('left the state the curl examples describe', async () => {
    const orders = await t.dataSource.query<{ status: string }[]>(`SELECT status FROM orders ORDER BY id`);
    // The checkout (sent twice with one key), paid by the webhook; the direct order, cancelled.
    expect(orders.map((order) => order.status)).toEqual(['paid', 'cancelled']);
  });
});
