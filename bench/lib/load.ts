import autocannon from 'autocannon';

/** What one autocannon run measured; latencies in milliseconds, over 2xx answers only. */
export interface LoadResult {
  durationS: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Socket errors and timeouts. */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** TCP connections that carried at least one answer (keep-alive: about `connections`). */
  connectionsOpened: number;
  /** CPU cores the load generator (this process) used while it ran. */
  generatorCores: number;
  errorSamples: string[];
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Per-request variation (path, method, headers, body); omitted: the same GET every time. */
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
}

/** One autocannon run in this process, with our own latency and connection bookkeeping. */
export function load(options: LoadOptions): Promise<LoadResult> {
  const latencies = new LatencyLog();
  const statusCodes: Record<string, number> = {};
  const seen = new WeakSet<object>();
  const errorSamples: string[] = [];
  let connectionsOpened = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationS,
        timeout: 10,
        ...(options.setupRequest ? { requests: [{ setupRequest: options.setupRequest }] } : {}),
      },
      (error: Error | null, result: autocannon.Result) => {
        if (error) {
          reject(error);
          return;
        }
        const wallS = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const answered = Object.values(statusCodes).reduce((sum, n) => sum + n, 0);
        resolve({
          durationS: result.duration,
          requests: answered,
          rps: answered / result.duration,
          p50: latencies.percentile(50),
          p95: latencies.percentile(95),
          p99: latencies.percentile(99),
          max: latencies.percentile(100),
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          statusCodes,
          connectionsOpened,
          generatorCores: (cpu.user + cpu.system) / 1e6 / wallS,
          errorSamples,
        });
      },
    );
    instance.on('response', (client, statusCode, _bytes, responseTime) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) {
        latencies.add(responseTime);
      }
      const socket = (client as unknown as { conn: object }).conn;
      if (!seen.has(socket)) {
        seen.add(socket);
        connectionsOpened++;
      }
    });
    instance.on('reqError', (error: Error) => {
      if (errorSamples.length < 5) {
        errorSamples.push(error.message);
      }
    });
  });
}

/** Every latency, kept so percentiles are exact rather than read off a coarse histogram. */
class LatencyLog {
  private values = new Float64Array(1 << 16);
  private size = 0;
  private sorted = false;

  add(ms: number): void {
    this.sorted = false;
    if (this.size === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.size++] = ms;
  }

  percentile(p: number): number {
    if (this.size === 0) {
      return NaN;
    }
    const values = this.values.subarray(0, this.size);
    if (!this.sorted) {
      values.sort();
      this.sorted = true;
    }
    return values[Math.min(this.size - 1, Math.ceil((p / 100) * this.size) - 1)];
  }
}
