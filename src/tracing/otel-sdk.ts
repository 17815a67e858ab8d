import type { IncomingMessage } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { routeTemplateOf } from '../common/http/route-template';

/** Probes and scrapes arrive every few seconds and say nothing about a user's request. */
const isProbe = (req: IncomingMessage) => (req.url ?? '').startsWith('/health') || req.url === '/metrics';

/**
 * The SDK for traces only. Required lazily by `tracing.ts`, so none of this loads when
 * tracing is off. The exporter reads `OTEL_EXPORTER_OTLP_ENDPOINT` (and the other
 * standard `OTEL_EXPORTER_OTLP_*` / `OTEL_BSP_*` variables) and posts to `<endpoint>/v1/traces`.
 *
 * No Express instrumentation: Nest 12 is ESM and imports Express through the ESM loader,
 * which the CommonJS require hook cannot patch. The server span gets its route from the
 * request instead, when the response finishes.
 */
export function createTracingSdk(): NodeSDK {
  return new NodeSDK({
    // `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES`, read by the SDK's env detector, win over this default.
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'mall-service' })),
    traceExporter: new OTLPTraceExporter(),
    // Metrics are scraped from /metrics and logs go to stdout; without these empty lists the
    // SDK would also start OTLP metric and log exporters.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: isProbe,
        applyCustomAttributesOnSpan: (span, request) => {
          const route = routeTemplateOf(request); // undefined on outgoing requests
          if (route) {
            span.setAttribute(ATTR_HTTP_ROUTE, route);
            span.updateName(`${request.method ?? 'GET'} ${route}`);
          }
        },
      }),
      // Only inside a request's trace: background polls (outbox relay, payment sweep)
      // would otherwise start a trace of their own every few seconds.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
}
