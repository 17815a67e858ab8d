import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A program other than node (nginx, Prometheus), with its output in a log file. */
export interface External {
  name: string;
  process: ChildProcess;
  logFile: string;
}

export function startExternal(name: string, command: string, args: string[], logFile: string): External {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  return { name, process: child, logFile };
}

/** Polls `url` until it answers 200 (or `accept` says the body will do). */
export async function waitForUrl(
  external: External,
  url: string,
  timeoutMs: number,
  accept: (body: string) => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (external.process.exitCode !== null || external.process.signalCode !== null) {
      throw new Error(`${external.name} exited while starting; see ${external.logFile}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200 && accept(await response.text())) {
        return;
      }
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`${external.name}: ${url} not ready within ${timeoutMs} ms; see ${external.logFile}`);
}

export async function stopExternal(external: External): Promise<void> {
  if (external.process.exitCode !== null || external.process.signalCode !== null) {
    return;
  }
  const exited = new Promise((done) => external.process.once('exit', done));
  external.process.kill('SIGTERM');
  const timer = setTimeout(() => external.process.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
