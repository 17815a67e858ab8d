import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import { authUserOf } from '../common/auth-context/auth-user';
import { requestIdOf } from '../common/http/request-id';
import { routeTemplateOf } from '../common/http/route-template';
import { activeTraceFields } from '../tracing/trace-context';

/**
 * Paths that may carry secrets, should anything ever log them: credentials in headers,
 * passwords in bodies, the webhook signature, and the bound parameters a failed SQL
 * statement carries on its error (a password hash, an email).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  'req.body.password',
  'body.password',
  'res.headers["set-cookie"]',
  'err.parameters',
  'err.driverError.parameters',
];

/** Probes and scrapes arrive every few seconds: logged at debug, unless they fail. */
const isProbe = (req: IncomingMessage) => (req.url ?? '').startsWith('/health') || req.url === '/metrics';

/** What only the finished request knows: the route it matched and who called. */
const completion = (req: IncomingMessage) => ({ route: routeTemplateOf(req), userId: authUserOf(req as never)?.id });

/**
 * The line pino-http writes for a finished request, for a request answered before the
 * framework (and so before pino-http) saw it: see `cache/hot-reads.ts`.
 */
export function completedRequestLine(req: IncomingMessage, res: ServerResponse, route: string, responseTimeMs: number) {
  return {
    requestId: requestIdOf(req),
    req: { method: req.method, url: req.url },
    res: { statusCode: res.statusCode },
    responseTime: Math.round(responseTimeMs),
    route,
  };
}

/**
 * pino-http options: one JSON line per request when its response finishes, with `req`
 * (method, url), `route` (the template), `res.statusCode`, `responseTime` (ms),
 * `requestId`, `userId` when authenticated and, with tracing on, `traceId` (on every
 * line, through `mixin`). Lines logged while handling a request carry its `requestId`.
 */
export function httpLogOptions(level: string, tracing: boolean): Options {
  return {
    level,
    genReqId: (req) => requestIdOf(req),
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    customSuccessObject: (req, _res, fields: object) => ({ ...fields, ...completion(req) }),
    customErrorObject: (req, _res, _error, fields: object) => ({ ...fields, ...completion(req) }),
    customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (error || res.statusCode >= 500) {
        return isProbe(req) ? 'warn' : 'error';
      }
      if (res.statusCode >= 400) {
        return 'warn';
      }
      return isProbe(req) ? 'debug' : 'info';
    },
    mixin: tracing ? activeTraceFields : undefined,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
