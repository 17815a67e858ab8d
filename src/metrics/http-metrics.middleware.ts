import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';
import { routeTemplateOf } from './route-template';

/** Times every request, matched or not, labelled by the route template rather than the raw path. */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      end({ method: req.method, route: routeTemplateOf(req) ?? 'unmatched', status_code: String(res.statusCode) });
    });
    next();
  };
}
