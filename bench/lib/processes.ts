import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A child process the bench started, with its log file. */
export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  port: number;
  logFile: string;
}

export interface StartOptions {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  /** Path that answers 200 once the process serves. */
  readyPath: string;
  logFile: string;
  timeoutMs?: number;
  /** How often readiness is asked (100 ms unless told). */
  pollMs?: number;
}

/** Starts `node <args>` with its output in `logFile`, and waits until `readyPath` answers 200. */
export async function startNode(options: StartOptions): Promise<Child> {
  if (await isListening(options.port)) {
    throw new Error(`Port ${options.port} is already in use; ${options.name} needs it`);
  }
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, options.args, { env: options.env, stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `${signal ?? code}`));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const url = `http://127.0.0.1:${options.port}${options.readyPath}`;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(`${options.name} exited (${exited}) while starting; see ${options.logFile}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        return { name: options.name, process: child, pid: child.pid!, port: options.port, logFile: options.logFile };
      }
    } catch {
      // not listening yet
    }
    await sleep(options.pollMs ?? 100);
  }
  child.kill('SIGKILL');
  throw new Error(`${options.name} did not answer ${url} within the time allowed; see ${options.logFile}`);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). Resolves with the exit code or signal. */
export async function stop(child: Child, graceMs = 15_000): Promise<string> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) {
    return `${child.process.signalCode ?? child.process.exitCode}`;
  }
  const exited = new Promise<string>((resolve) =>
    child.process.once('exit', (code, signal) => resolve(`${signal ?? code}`)),
  );
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** The process and its descendants (cluster workers), from /proc. */
function processTree(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      children.push(...list.split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    return [];
  }
  return [pid, ...children.flatMap(processTree)];
}

/** Resident set size in MB of the process and its descendants (VmRSS of /proc/<pid>/status). */
export function rssMb(pid: number): number {
  let kb = 0;
  for (const id of processTree(pid)) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${id}/status`, 'utf8'));
      kb += match ? Number(match[1]) : 0;
    } catch {
      // gone meanwhile
    }
  }
  return kb / 1024;
}

/** The V8 heap (in use, reserved) and the memory outside it, in MB, from the service's Prometheus `/metrics`. */
export async function heapMb(port: number): Promise<{ heapUsedMb: number; heapTotalMb: number; externalMb: number }> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const metric = (name: string) => Number(new RegExp(`^${name} ([\\d.e+]+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
    return {
      heapUsedMb: metric('nodejs_heap_size_used_bytes'),
      heapTotalMb: metric('nodejs_heap_size_total_bytes'),
      externalMb: metric('nodejs_external_memory_bytes'),
    };
  } catch {
    return { heapUsedMb: NaN, heapTotalMb: NaN, externalMb: NaN };
  }
}

/** CPU time (user + system) in seconds used so far by the process and its descendants. */
export function cpuSeconds(pid: number): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const id of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / ticksPerSecond;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}:\n${output}`)),
    );
  });
}
