import type { Options } from 'pino-http';
import { requestIdOf } from '../common/http/request-id';
import { activeTraceFields } from '../tracing/trace-context';
import { logTarget } from './redact-url';

/** Body fields that hold a password, wherever a body is logged. */
const PASSWORD_FIELDS = ['password', 'currentPassword', 'newPassword'];

/**
 * Paths that may carry secrets, should anything ever log them: credentials in headers,
 * passwords in bodies, the webhook signature, and the bound parameters a failed SQL
 * statement carries on its error (a password hash, an email).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  ...PASSWORD_FIELDS.flatMap((field) => [`req.body.${field}`, `body.${field}`, `*.${field}`]),
  'res.headers["set-cookie"]',
  'err.parameters',
  'err.driverError.parameters',
];

/**
 * pino-http options. It gives every request a logger carrying its `requestId`, for the
 * lines logged while handling it; the access line of each request is the front door's
 * (`logging/access-log.ts`), so pino-http writes none itself. With tracing on, every
 * line carries `traceId` (through `mixin`).
 */
export function httpLogOptions(level: string, tracing: boolean): Options {
  return {
    level,
    genReqId: (req) => requestIdOf(req),
    autoLogging: false,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    mixin: tracing ? activeTraceFields : undefined,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      // Only these: headers hold credentials, and a URL may (redacted here).
      req: (req: { method: string; url: string }) => ({ method: req.method, url: logTarget(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
