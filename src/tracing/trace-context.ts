import type { TraceAPI } from '@opentelemetry/api';

let traceApi: TraceAPI | undefined;

/**
 * `{ traceId }` of the span active where a log line is written, so logs and traces join up.
 * The logger calls it only with tracing on; the API is required on that first call, so
 * with tracing off no OpenTelemetry package is loaded at all.
 */
export function activeTraceFields(): { traceId?: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  traceApi ??= (require('@opentelemetry/api') as typeof import('@opentelemetry/api')).trace;
  const span = traceApi.getActiveSpan();
  return span ? { traceId: span.spanContext().traceId } : {};
}
