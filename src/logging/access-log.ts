import type { IncomingMessage, ServerResponse } from 'node:http';
import { PinoLogger } from 'nestjs-pino';
import type { Level } from 'pino';
import { authUserOf } from '../common/auth-context/auth-user';
import { pathOf } from '../common/http/http-message';
import { clientAddressOf } from '../common/http/client-address';
import { requestIdOf } from '../common/http/request-id';
import { routeTemplateOf } from '../common/http/route-template';

/** Probes and scrapes arrive every few seconds: logged at debug, unless they fail. */
const isProbe = (req: IncomingMessage) => {
  const path = pathOf(req.url);
  return path.startsWith('/health') || path === '/metrics';
};

/** Failures at error (warn for probes: the dependency's outage is logged where it is found), refusals at warn. */
export function accessLogLevel(req: IncomingMessage, res: ServerResponse): Level {
  if (res.statusCode >= 500) {
    return isProbe(req) ? 'warn' : 'error';
  }
  if (res.statusCode >= 400) {
    return 'warn';
  }
  return isProbe(req) ? 'debug' : 'info';
}

/**
 * Writes the one access line of a request once its response is done (or the client went
 * away first), whoever answered it: the framework, the `ResponseCache`, or the front door
 * itself. Its fields: `requestId`, `req` (method, url with secrets redacted), `res`
 * (statusCode), `responseTime` (ms), `route` (the template, when one matched), `userId`
 * (when a token was verified), `client` (the address `TRUST_PROXY` settles) and, with tracing on, `traceId`. Called by the front door
 * for every request, from the one listener it gives each response.
 */
export function logAccess(req: IncomingMessage, res: ServerResponse, responseTimeMs: number): void {
  const logger = PinoLogger.root;
  const level = accessLogLevel(req, res);
  if (!logger?.isLevelEnabled(level)) {
    return;
  }
  const line = {
    requestId: requestIdOf(req),
    req,
    res,
    responseTime: Math.round(responseTimeMs),
    route: routeTemplateOf(req),
    userId: authUserOf(req)?.id,
    client: clientAddressOf(req),
  };
  logger[level](line, res.writableFinished ? 'request completed' : 'request aborted');
}
