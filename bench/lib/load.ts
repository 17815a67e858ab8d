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
  /** Per route, when the requests carry one (see {@link RoutedRequest}); in the order first answered. */
  byRoute?: RouteLatency[];
}

/** A generated request, optionally saying which route it exercises, so its latency is kept apart. */
export type RoutedRequest = autocannon.Request & { route?: string };

/** One route's answers in a run: how many (any status), and latency percentiles over its 2xx. */
export interface RouteLatency {
  route: string;
  requests: number;
  p50: number;
  p99: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Per-request variation (path, method, headers, body); omitted: the same GET every time. */
  setupRequest?: (request: autocannon.Request) => RoutedRequest;
}

/**
 * Where a request's route waits for its answer: autocannon gives each connection a context
 * of its own, passed to setupRequest, and replaces it before building the next request
 * (a fresh copy of the initial context per request sequence, here one request long). With
 * one request in flight per connection (no pipelining), the context of the connection
 * that answered is that of the request answered.
 */
interface RouteContext {
  route?: string;
}

/** The context of the connection that answered (autocannon's client keeps it on its request iterator). */
function contextOf(client: unknown): RouteContext | undefined {
  return (client as { requestIterator?: { context?: RouteContext } }).requestIterator?.context;
}

/** One autocannon run in this process, with our own latency and connection bookkeeping. */
export function load(options: LoadOptions): Promise<LoadResult> {
  const latencies = new LatencyLog();
  const routes = new Map<string, { requests: number; latencies: LatencyLog }>();
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
        ...(options.setupRequest ? { requests: [{ setupRequest: routed(options.setupRequest) }] } : {}),
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
          ...(routes.size > 0
            ? {
                byRoute: [...routes].map(([route, log]) => ({
                  route,
                  requests: log.requests,
                  p50: log.latencies.percentile(50),
                  p99: log.latencies.percentile(99),
                })),
              }
            : {}),
        });
      },
    );
    instance.on('response', (client, statusCode, _bytes, responseTime) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      const ok = statusCode >= 200 && statusCode < 300;
      if (ok) {
        latencies.add(responseTime);
      }
      const route = contextOf(client)?.route;
      if (route !== undefined) {
        const log = routes.get(route) ?? { requests: 0, latencies: new LatencyLog(1 << 12) };
        routes.set(route, log);
        log.requests++;
        if (ok) {
          log.latencies.add(responseTime);
        }
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

/** `setup` as autocannon calls it: the route it names goes into the connection's context. */
function routed(
  setup: (request: autocannon.Request) => RoutedRequest,
): (request: autocannon.Request, context: RouteContext) => autocannon.Request {
  return (request, context) => {
    const built = setup(request);
    context.route = built.route;
    return built;
  };
}

/** Every latency, kept so percentiles are exact rather than read off a coarse histogram. */
class LatencyLog {
  private values: Float64Array;
  private size = 0;
  private sorted = false;

  constructor(capacity = 1 << 16) {
    this.values = new Float64Array(capacity);
  }

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
