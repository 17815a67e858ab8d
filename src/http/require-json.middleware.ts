import type { NextFunction, Request, Response } from 'express';
import { errorBody } from '../common/errors/error-body';
import { requestIdOf } from '../common/http/request-id';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Every endpoint speaks JSON: a request body of any other type is a 415. */
export function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (!hasBody(req) || JSON_TYPE.test(req.headers['content-type'] ?? '')) {
    next();
    return;
  }
  res
    .status(415)
    .json(errorBody(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json', requestIdOf(req)));
}
