import { Logger, type INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** In-flight requests get this long to finish once a stop signal arrives; then their connections are cut. */
export const DRAIN_MS = 10_000;
/** Then the app's own shutdown (payment-timeout job, outbox relay, pools) gets this long. */
export const CLOSE_MS = 5_000;
/**
 * An idle connection at the signal may hold a request the server has not read yet (a busy
 * event loop reads late): it gets this long to show one before it is closed as idle.
 */
const IDLE_GRACE_MS = 1_000;

export interface GracefulShutdownOptions {
  drainMs?: number;
  closeMs?: number;
  signals?: NodeJS.Signals[];
}

/**
 * SIGTERM / SIGINT, in this order:
 * 1. stop listening (clients still in the kernel's accept queue are refused, as they
 *    would be by any server that stops);
 * 2. let the requests in flight finish (at most `drainMs`), each answered with
 *    `Connection: close` so its connection ends with it; keep-alive connections close as
 *    they go idle (those idle at the signal after IDLE_GRACE_MS); then cut what is left;
 * 3. close the app: Nest's shutdown hooks stop the payment-timeout job and the outbox
 *    relay and close the database and Redis pools (at most `closeMs`);
 * 4. exit 0 (1 if closing the app failed or hung).
 *
 * Requests drain before the hooks run because Nest's own `enableShutdownHooks` does the
 * opposite: it destroys modules first, under requests that still need them.
 * A repeated signal (Ctrl-C reaches a cluster's primary and its workers alike) changes nothing.
 */
export function enableGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions = {}): void {
  const { drainMs = DRAIN_MS, closeMs = CLOSE_MS, signals = ['SIGTERM', 'SIGINT'] } = options;
  const server = app.getHttpServer() as Server;
  const logger = new Logger('Shutdown');
  const inFlight = new Set<ServerResponse>();
  const activeOn = new WeakMap<Socket, number>();
  let draining = false;
  let stopping: Promise<number> | undefined;

  // Before Express sees the request: count it, and while draining, make it the connection's last.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    activeOn.set(socket, (activeOn.get(socket) ?? 0) + 1);
    inFlight.add(res);
    if (draining) {
      res.setHeader('Connection', 'close');
    }
    res.once('close', () => {
      activeOn.set(socket, (activeOn.get(socket) ?? 1) - 1);
      inFlight.delete(res);
      // A response begun before the signal went out keep-alive: end its connection now.
      if (draining) {
        setImmediate(() => activeOn.get(socket) === 0 && !socket.destroyed && socket.end());
      }
    });
  });

  const stop = async (signal: NodeJS.Signals): Promise<number> => {
    draining = true;
    logger.log(`${signal}: no new connections; finishing ${inFlight.size} request(s) in flight`);
    for (const res of inFlight) {
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
      }
    }
    // Not http.Server#close: it would also drop at once every connection it deems idle,
    // including one whose request is waiting to be read. The callback runs once every
    // connection has ended (at once if the server never listened).
    const drained = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    // After the grace, and after one more pass of the event loop's I/O phase, so that a
    // request already received is read (and counted as in flight) before the check.
    const idle = setTimeout(() => setImmediate(() => server.closeIdleConnections()), IDLE_GRACE_MS);
    if (!(await settlesWithin(drained, drainMs))) {
      logger.warn(`${inFlight.size} request(s) still running after ${drainMs} ms; closing their connections`);
      server.closeAllConnections();
    }
    clearTimeout(idle);
    try {
      if (!(await settlesWithin(app.close(), closeMs))) {
        logger.error(`The app did not close within ${closeMs} ms; exiting anyway`);
        return 1;
      }
    } catch (error) {
      logger.error(`Closing the app failed: ${(error as Error).message}`);
      return 1;
    }
    logger.log('Stopped');
    return 0;
  };

  for (const signal of signals) {
    process.on(signal, () => {
      stopping ??= stop(signal).then((code) => process.exit(code));
    });
  }
}

/** True if `work` resolves within `ms`, false if it is still running; rejects if `work` does. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
