import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's `X-Request-Id` when it is a sane token, otherwise a fresh one. */
export function resolveRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export type RequestWithId = IncomingMessage & { id: string };

/** Runs before anything else (`http/front-door.ts`): every response carries an `X-Request-Id`. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): void {
  const id = resolveRequestId(req.headers['x-request-id']);
  (req as RequestWithId).id = id;
  res.setHeader('X-Request-Id', id);
}

/** The id {@link assignRequestId} gave the request. */
export function requestIdOf(req: IncomingMessage): string {
  return (req as Partial<RequestWithId>).id ?? resolveRequestId(undefined);
}
