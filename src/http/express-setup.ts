import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonBody } from '../common/http/json-body';

/** JSON bodies: `application/json` and the `application/*+json` family. */
const JSON_BODY_TYPES = ['application/json', 'application/*+json'];

/**
 * Express once the app exists: body parsing (JSON for the API, HTML forms for the
 * storefront, both within `BODY_LIMIT`) and framework defaults.
 */
export function configureExpress(app: NestExpressApplication, bodyLimitBytes: number): void {
  app.disable('x-powered-by');
  app.set('etag', false);
  // Read as bytes (kept as the raw body), then parsed by our own JSON parser.
  app.useBodyParser('raw', { limit: bodyLimitBytes, type: JSON_BODY_TYPES });
  app.use((req: IncomingMessage & { body?: unknown }, _res: ServerResponse, next: (error?: unknown) => void) => {
    if (!Buffer.isBuffer(req.body)) {
      next();
      return;
    }
    try {
      req.body = parseJsonBody(req.body, req.headers['content-type']);
      next();
    } catch (error) {
      next(error);
    }
  });
  // Flat fields only (`extended: false`): a form never needs nested objects.
  app.useBodyParser('urlencoded', { limit: bodyLimitBytes, extended: false });
}
