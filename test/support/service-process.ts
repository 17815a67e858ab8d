import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist/main.js');

/** Builds `dist/main.js` when it is missing or older than a file under `src/` (a few seconds). */
export function ensureBuilt(): void {
  const newestSource = newestMtime(join(ROOT, 'src'));
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestSource) {
    return;
  }
  try {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build failed:\n${String(stdout ?? '')}${String(stderr ?? '')}`.slice(0, 5_000));
  }
}

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface ServiceProcess {
  pid: number;
  port: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLive(timeoutMs?: number): Promise<void>;
  /** Kills it and anything it forked, if still running (for afterAll). */
  kill(): Promise<void>;
}

/**
 * Runs `node dist/main.js` with `env` on top of a bare environment (PATH, HOME): none of
 * the test process's own DATABASE_URL / REDIS_URL leak in. It gets a process group of its
 * own, so `kill()` also reaches cluster workers. With `unreadStdout`, nothing reads its
 * stdout (only stderr is kept in `output()`).
 */
export function startService(
  port: number,
  env: Record<string, string>,
  options: { unreadStdout?: boolean } = {},
): ServiceProcess {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  if (options.unreadStdout) {
    // A reader that never keeps up: the pipe fills, and whatever the service writes to
    // stdout after that waits in the service.
    child.stdout.pause();
  } else {
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  }
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  let running = true;
  void exited.then(() => (running = false));

  return {
    pid: child.pid!,
    port,
    output: () => output,
    exited,
    async waitForLive(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await isLive(port))) {
        if (!running || Date.now() > deadline) {
          throw new Error(
            `The service did not come up (${running ? 'timed out' : 'exited'}):\n${output.slice(-3_000)}`,
          );
        }
        await new Promise((done) => setTimeout(done, 100));
      }
    },
    async kill() {
      if (running) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000).unref())]);
      }
    },
  };
}

function isLive(port: number): Promise<boolean> {
  return new Promise((done) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health/live', agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
  });
}

export interface Answer {
  status?: number;
  headers: http.IncomingHttpHeaders;
  body?: unknown;
  /** The body as it arrived. */
  text?: string;
  /** A network error instead of an answer (ECONNRESET, ECONNREFUSED, …). */
  error?: string;
}

/** One HTTP request; network failures come back as `error` rather than a rejection. */
export function send(
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; agent?: http.Agent; onSent?: () => void } = {},
): Promise<Answer> {
  return new Promise((done) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: options.agent ?? false,
        headers: { ...(payload ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          done({ status: res.statusCode, headers: res.headers, body, text });
        });
        res.on('error', (error) => done({ headers: {}, error: errorName(error) }));
      },
    );
    req.on('error', (error) => done({ headers: {}, error: errorName(error) }));
    // On the wire: connected, and the whole request handed to the kernel.
    let connected = false;
    let finished = false;
    const sentOnce = () => {
      if (connected && finished) {
        options.onSent?.();
      }
    };
    req.on('socket', (socket) => {
      if (socket.connecting) {
        socket.once('connect', () => {
          connected = true;
          sentOnce();
        });
      } else {
        connected = true; // a reused keep-alive connection
      }
    });
    req.on('finish', () => {
      finished = true;
      sentOnce();
    });
    req.end(payload);
  });
}

function errorName(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
