import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ResponseCache } from '../cache/response-cache';
import { assignClientAddress } from '../common/http/client-address';
import type { ProxyTrust } from '../config/proxy-trust';
import { errorBody } from '../common/errors/error-body';
import { pathOf, writeJson } from '../common/http/http-message';
import { assignRequestId, requestIdOf } from '../common/http/request-id';
import { logAccess } from '../logging/access-log';
import { MetricsService } from '../metrics/metrics.service';
import { routeTemplateOf } from '../common/http/route-template';
import { doorRefusal, type DoorLimits, type DoorRefusal } from './door-refusals';
import { setSecurityHeaders } from './security-headers';
import { limitUndeclaredBody } from './undeclared-body';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * What every request meets first, before the framework: its
 * request id, its client address (`TRUST_PROXY` decides whether `X-Forwarded-For` counts),
 * the security headers, the request-duration metric (labelled by route
 * template, matched or not) and its access line ({@link logAccess}), the refusals that
 * need no route ({@link doorRefusal}), then the {@link ResponseCache}, which repeats the
 * pipeline's stored answer to an anonymous cached read and hands everything else to the
 * framework.
 */
export class FrontDoor {
  private metrics?: MetricsService;
  private responses?: ResponseCache;

  constructor(
    private readonly limits: DoorLimits,
    private readonly proxyTrust: ProxyTrust,
  ) {}

  /** Wires in the built app's services; until then requests get their id and headers only. */
  attach(app: INestApplication): void {
    this.metrics = app.get(MetricsService);
    this.responses = app.get(ResponseCache);
  }

  handle(req: IncomingMessage, res: ServerResponse, framework: RequestHandler): void {
    assignRequestId(req, res);
    assignClientAddress(req, this.proxyTrust);
    setSecurityHeaders(res, pathOf(req.url));
    if (this.metrics) {
      whenDone(req, res, this.metrics);
    }
    limitUndeclaredBody(req, res, this.limits.bodyLimitBytes);
    const refusal = doorRefusal(req, this.limits);
    if (refusal) {
      refuse(req, res, refusal);
    } else if (this.responses) {
      this.responses.handle(req, res, () => framework(req, res));
    } else {
      framework(req, res);
    }
  }
}

function refuse(req: IncomingMessage, res: ServerResponse, { status, code, message }: DoorRefusal): void {
  // Node closes the connection after this answer instead of reading the unread body.
  res.setHeader('Connection', 'close');
  writeJson(res, status, JSON.stringify(errorBody(status, code, message, requestIdOf(req))));
}

/**
 * Observes the request's duration (completed answers only) and writes its access line, from
 * one listener: the response's `close`, which follows `finish` and also comes when the
 * client went away first.
 */
function whenDone(req: IncomingMessage, res: ServerResponse, metrics: MetricsService): void {
  const startedAt = performance.now();
  res.once('close', () => {
    const elapsedMs = performance.now() - startedAt;
    if (res.writableFinished) {
      const labels = {
        method: req.method,
        route: routeTemplateOf(req) ?? 'unmatched',
        status_code: String(res.statusCode),
      };
      metrics.httpRequestDuration.observe(labels, elapsedMs / 1000);
    }
    logAccess(req, res, elapsedMs);
  });
}
