import pino, { type DestinationStream } from 'pino';

/**
 * Log text waiting for stdout at most. Lines are written asynchronously, so a reader
 * slower than the service (a full pipe, a stalled log shipper) makes them queue in the
 * heap; past this they are dropped and counted ({@link droppedLogLines}), never held.
 */
export const MAX_QUEUED_LOG_BYTES = 4 * 1024 * 1024;

let stream: DestinationStream | undefined;
let dropped = 0;

/** Log lines dropped so far because stdout could not keep up (`log_lines_dropped_total`). */
export function droppedLogLines(): number {
  return dropped;
}

/**
 * The process's one log destination, shared by every app in it: stdout, bounded by
 * {@link MAX_QUEUED_LOG_BYTES}. In a terminal the lines are pino-pretty's human-readable
 * ones; anywhere else they stay JSON, one object a line, for log collectors.
 */
export function logStream(): DestinationStream {
  if (stream === undefined) {
    const stdout = pino.destination({ dest: 1, sync: false, maxLength: MAX_QUEUED_LOG_BYTES });
    stdout.on('drop', (data: string) => {
      dropped += countLines(data);
    });
    stream = process.stdout.isTTY ? prettyOnto(stdout) : stdout;
  }
  return stream;
}

function countLines(data: string): number {
  let lines = 0;
  for (let at = data.indexOf('\n'); at !== -1; at = data.indexOf('\n', at + 1)) {
    lines++;
  }
  return Math.max(lines, 1);
}

/** pino-pretty, loaded only for a terminal: a service writing to a pipe never needs it. */
function prettyOnto(destination: DestinationStream): DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PinoPretty } = require('pino-pretty') as typeof import('pino-pretty');
  return PinoPretty({ destination, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}
