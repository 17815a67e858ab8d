import cluster from 'node:cluster';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { AppConfig } from '../config/configuration';

/** A healthy collector takes milliseconds; this keeps a dead one well inside the app's close budget. */
const SHUTDOWN_TIMEOUT_MS = 3_000;

let sdk: NodeSDK | undefined;

/** True once {@link startTracing} has started the OpenTelemetry SDK in this process. */
export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/**
 * Starts OpenTelemetry tracing (HTTP, Express, PostgreSQL, Redis spans exported over
 * OTLP/HTTP) when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Without it nothing is loaded and
 * nothing is patched, so tracing off costs nothing.
 *
 * It must run before `http`, `express`, `pg` and `ioredis` are first required, because
 * the instrumentations patch those modules as they load: `main.ts` calls it after reading
 * the configuration and before it loads the app.
 */
export function startTracing({ otlpEndpoint, workers }: Pick<AppConfig['app'], 'otlpEndpoint' | 'workers'>): void {
  if (sdk || !otlpEndpoint) {
    return;
  }
  if (workers > 1 && cluster.isPrimary) {
    return; // the primary only forks; each worker traces itself
  }
  // Loaded here, not imported at the top, so the SDK is not even required when tracing is off.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createTracingSdk } = require('./otel-sdk') as typeof import('./otel-sdk');
  sdk = createTracingSdk();
  sdk.start();
}

/** Flushes the spans still buffered and stops the SDK; bounded, so a dead collector cannot hold up an exit. */
export async function shutdownTracing(): Promise<void> {
  const stopping = sdk;
  sdk = undefined;
  if (!stopping) {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS);
  });
  try {
    await Promise.race([stopping.shutdown(), timeout]);
  } catch (error) {
    console.error('Tracing did not shut down cleanly:', error);
  } finally {
    clearTimeout(timer);
  }
}
