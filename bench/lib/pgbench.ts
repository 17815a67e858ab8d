import { join } from 'node:path';
import { DATABASE, PG_SERVER_URL, ROOT } from './service.js';
import { run } from './processes.js';

export interface PgbenchResult {
  clients: number;
  durationS: number;
  tps: number;
  latencyAvgMs: number;
  failed: number;
}

/**
 * The pgbench scripts in bench/: the service's own statements (`checkout`, `list`) and
 * the essential work of a checkout (`checkout-floor`).
 */
export type PgbenchScript = 'checkout' | 'checkout-floor' | 'list';

/**
 * pgbench running `script` (bench/<script>.pgbench.sql) on the bench database, `-M
 * prepared` as the service prepares its hot statements, with `defines` as its `-D`
 * variables (the checkouts' product range and users, the list's price range).
 */
export async function pgbench(options: {
  script: PgbenchScript;
  clients: number;
  durationS: number;
  defines: Record<string, number>;
}): Promise<PgbenchResult> {
  const server = new URL(PG_SERVER_URL);
  const output = await run('pgbench', [
    '-n',
    '-M',
    'prepared',
    '-h',
    server.hostname,
    '-p',
    server.port || '5432',
    '-U',
    decodeURIComponent(server.username) || 'postgres',
    '-c',
    String(options.clients),
    '-j',
    '2',
    '-T',
    String(options.durationS),
    ...Object.entries(options.defines).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
    '-f',
    join(ROOT, 'bench', `${options.script}.pgbench.sql`),
    DATABASE,
  ]);
  const number = (pattern: RegExp): number => Number(pattern.exec(output)?.[1] ?? NaN);
  const tps = number(/^tps = ([\d.]+)/m);
  if (!Number.isFinite(tps)) {
    throw new Error(`pgbench printed no tps:\n${output}`);
  }
  return {
    clients: options.clients,
    durationS: options.durationS,
    tps,
    latencyAvgMs: number(/^latency average = ([\d.]+) ms/m),
    failed: number(/^number of failed transactions: (\d+)/m) || 0,
  };
}

/** Whether pgbench is on the PATH. */
export async function hasPgbench(): Promise<boolean> {
  try {
    await run('pgbench', ['--version']);
    return true;
  } catch {
    return false;
  }
}
