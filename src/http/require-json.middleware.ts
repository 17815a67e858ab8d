import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../common/errors/error-body';
import { writeJson } from '../common/http/http-message';
import { requestIdOf } from '../common/http/request-id';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Every endpoint speaks JSON: a request body of any other type is a 415. Middleware on
 * node's request and response, so it runs alike under either HTTP adapter.
 */
export function requireJsonBody(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if (!hasBody(req) || JSON_TYPE.test(req.headers['content-type'] ?? '')) {
    next();
    return;
  }
  const body = errorBody(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json', requestIdOf(req));
  writeJson(res, 415, JSON.stringify(body));
}
