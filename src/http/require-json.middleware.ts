import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../common/errors/error-body';
import { pathOf, writeJson } from '../common/http/http-message';
import { requestIdOf } from '../common/http/request-id';
import { isStorefrontPath } from './storefront-paths';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Every API endpoint speaks JSON: a request body of any other type is a 415; the
 * storefront's pages take HTML forms (`application/x-www-form-urlencoded`) instead.
 * Middleware on node's request and response.
 */
export function requireJsonBody(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const type = req.headers['content-type'] ?? '';
  if (!hasBody(req) || (isStorefrontPath(pathOf(req.url)) ? FORM_TYPE : JSON_TYPE).test(type)) {
    next();
    return;
  }
  const expected = isStorefrontPath(pathOf(req.url)) ? 'application/x-www-form-urlencoded' : 'application/json';
  const body = errorBody(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the request body as ${expected}`, requestIdOf(req));
  writeJson(res, 415, JSON.stringify(body));
}
