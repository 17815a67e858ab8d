import cluster, { type Worker } from 'node:cluster';
import { CLOSE_MS, DRAIN_MS } from './http/graceful-shutdown';

/** Workers that exit before listening, in a row, before the primary gives up. */
const MAX_START_FAILURES = 5;
const RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A worker drains for DRAIN_MS and closes for CLOSE_MS; past this margin it is killed. */
const STOP_TIMEOUT_MS = DRAIN_MS + CLOSE_MS + 5_000;

/**
 * `WORKERS=N`: the primary forks N workers sharing the port (node:cluster) and replaces
 * one that dies. A worker that dies before it listens (bad database URL, port taken …)
 * is retried with a doubling delay; after MAX_START_FAILURES such deaths in a row the
 * primary stops the rest and exits 1, rather than forking forever.
 *
 * SIGTERM / SIGINT go to every worker, which drains and exits; the primary exits 0 once
 * all have exited cleanly (1 if one did not, or had to be killed).
 */
export function runPrimary(workers: number): void {
  const listening = new WeakSet<Worker>();
  const restarts = new Set<NodeJS.Timeout>();
  let startFailures = 0;
  let stopping = false;
  let exitCode = 0;

  const alive = () => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => Boolean(worker));

  const stop = (signal: NodeJS.Signals, code: number) => {
    if (stopping) {
      return; // a repeated signal (Ctrl-C also reaches the workers directly) changes nothing
    }
    stopping = true;
    exitCode = code;
    restarts.forEach(clearTimeout);
    restarts.clear();
    const running = alive();
    if (running.length === 0) {
      process.exit(exitCode);
    }
    running.forEach((worker) => worker.process.kill(signal));
    setTimeout(() => {
      console.error(`Workers still running ${STOP_TIMEOUT_MS} ms after ${signal}; killing them`);
      alive().forEach((worker) => worker.process.kill('SIGKILL'));
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
  };

  cluster.on('listening', (worker) => {
    listening.add(worker);
    startFailures = 0;
  });

  cluster.on('exit', (worker, code, signal) => {
    const how = signal ?? `code ${code}`;
    if (stopping) {
      if (code !== 0) {
        console.error(`Worker ${worker.process.pid} stopped with ${how}`);
        exitCode = 1;
      }
      if (alive().length === 0) {
        process.exit(exitCode);
      }
      return;
    }
    let delay = RESTART_DELAY_MS;
    if (!listening.has(worker)) {
      startFailures++;
      if (startFailures >= MAX_START_FAILURES) {
        console.error(
          `Workers failed to start ${startFailures} times in a row (the last, ${worker.process.pid}, with ${how}); ` +
            'giving up. The reason is in their output above.',
        );
        stop('SIGTERM', 1);
        return;
      }
      delay = Math.min(RESTART_DELAY_MS * 2 ** (startFailures - 1), MAX_RESTART_DELAY_MS);
    }
    console.error(
      `Worker ${worker.process.pid} ${listening.has(worker) ? 'exited' : 'failed to start'} (${how}); ` +
        `starting another in ${delay} ms`,
    );
    const timer = setTimeout(() => {
      restarts.delete(timer);
      cluster.fork();
    }, delay);
    restarts.add(timer);
  });

  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
  for (let i = 0; i < workers; i++) {
    cluster.fork();
  }
  console.warn(`Primary ${process.pid}: starting ${workers} workers`);
}
