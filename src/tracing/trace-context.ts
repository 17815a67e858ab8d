import { trace } from '@opentelemetry/api';

/** `{ traceId }` of the span active where a log line is written, so logs and traces join up. */
export function activeTraceFields(): { traceId?: string } {
  const span = trace.getActiveSpan();
  return span ? { traceId: span.spanContext().traceId } : {};
}
