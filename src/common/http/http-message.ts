import type { ExecutionContext } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/**
 * What handlers, guards and filters use of a request: Express's, which is node's request
 * with what routing found added in place.
 */
export interface HttpRequest extends IncomingMessage {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** The body as it arrived (kept for webhook signatures). */
  rawBody?: Buffer;
}

/** What handlers and guards use of a response: Express's, which is node's response with `status` and `header`. */
export interface HttpResponse extends ServerResponse {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Answers with `json` (already serialised) straight on node's response, before or without the framework. */
export function writeJson(res: ServerResponse, status: number, json: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

/** A controller method, as route metadata is read from it (what `ExecutionContext.getHandler()` gives). */
export type RouteHandler = ReturnType<ExecutionContext['getHandler']>;
