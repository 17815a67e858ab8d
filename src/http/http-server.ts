import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from '../common/errors/error-body';
import { resolveRequestId } from '../common/http/request-id';
import type { AppConfig } from '../config/configuration';

/** Errors Node's HTTP parser raises before any route sees the request, and what to answer. */
const PARSER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HEADERS_TOO_LARGE',
    message: 'The request headers are larger than allowed',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request took too long to arrive' },
};
const MALFORMED = { status: 400, code: 'MALFORMED_REQUEST', message: 'The request could not be parsed' };

/**
 * Applies the server limits and timeouts from configuration, and answers requests the
 * HTTP parser rejects (oversized headers, garbage) with the contract's error body.
 */
export function configureHttpServer(server: Server, http: AppConfig['http']): void {
  server.keepAliveTimeout = http.keepAliveTimeoutMs;
  server.headersTimeout = http.headersTimeoutMs;
  // Time to receive a whole request; handler time is bounded by the request-timeout interceptor.
  server.requestTimeout = Math.max(http.requestTimeoutMs, http.headersTimeoutMs);
  // Ours alone: Fastify adds a handler of its own, which would answer a second time.
  server.removeAllListeners('clientError');
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, code, message } = PARSER_ERRORS[error.code ?? ''] ?? MALFORMED;
    const requestId = resolveRequestId(undefined);
    const body = JSON.stringify(errorBody(status, code, message, requestId));
    socket.end(
      [
        `HTTP/1.1 ${status} ${errorBody(status, code, message, requestId).error}`,
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}
