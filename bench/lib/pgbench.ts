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
 * pgbench running the service's checkout transaction (bench/checkout.pgbench.sql) on the
 * bench database: over random products, or all clients on one hot product.
 */
export async function pgbench(options: {
  clients: number;
  durationS: number;
  products: { min: number; max: number };
  users: number;
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
    '-D',
    `minid=${options.products.min}`,
    '-D',
    `maxid=${options.products.max}`,
    '-D',
    `users=${options.users}`,
    '-f',
    join(ROOT, 'bench', 'checkout.pgbench.sql'),
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
