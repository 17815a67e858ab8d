import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PinoLogger } from 'nestjs-pino';
import { errorBody } from '../common/errors/error-body';
import { writeJson } from '../common/http/http-message';
import { assignRequestId, requestIdOf, resolveRequestId } from '../common/http/request-id';
import type { AppConfig } from '../config/configuration';
import { doorRefusal } from './door-refusals';

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

/** How long a connection refused by the parser is kept after its answer, for the client to read it. */
const REFUSED_SOCKET_LINGER_MS = 500;

/** How often Node looks for connections past their headers or request timeout at most (its default: 30 s). */
const MAX_TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * node's `http.Server` options from configuration (the server is
 * made with them: some take effect only at construction).
 */
export function httpServerOptions(http: AppConfig['http']): ServerOptions {
  const headersTimeout = http.headersTimeoutMs;
  // Time to receive a whole request; handler time is bounded by the request-timeout interceptor.
  const requestTimeout = Math.max(http.requestTimeoutMs, headersTimeout);
  return {
    maxHeaderSize: http.maxHeaderBytes,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    headersTimeout,
    requestTimeout,
    // Node enforces both timeouts only when it checks, by default every 30 s: a slow
    // client could hold a connection that long. Checked this often, they hold to within
    // a second (and to within the timeout itself when it is shorter).
    connectionsCheckingInterval: Math.min(MAX_TIMEOUT_CHECK_INTERVAL_MS, headersTimeout),
    // Node would answer an HTTP/1.1 request without Host with a bare 400; the front door
    // answers it with the contract's body instead (`http/door-refusals.ts`).
    requireHostHeader: false,
  };
}

/**
 * Answers requests the HTTP parser rejects (oversized headers, a timeout, garbage), and
 * `Expect` headers, with the contract's error body.
 */
export function configureHttpServer(server: Server, http: AppConfig['http']): void {
  // Node would send "100 Continue" to every such request, inviting a body the front door
  // is about to refuse: only a body it would accept is invited.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!doorRefusal(req, http)) {
      res.writeContinue();
    }
    server.emit('request', req, res);
  });
  // Any other expectation: 417, which Node would send with an empty body.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    assignRequestId(req, res);
    const message = 'Only the expectation 100-continue is supported';
    res.setHeader('Connection', 'close');
    writeJson(res, 417, JSON.stringify(errorBody(417, 'EXPECTATION_FAILED', message, requestIdOf(req))));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Like Node's own handler: never write into a response already under way.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, code, message } = PARSER_ERRORS[error.code ?? ''] ?? MALFORMED;
    const requestId = resolveRequestId(undefined);
    const answer = errorBody(status, code, message, requestId);
    // No request to log (it never parsed): what was answered, and why.
    PinoLogger.root?.warn({ requestId, statusCode: status, parserError: error.code }, 'request refused');
    const body = JSON.stringify(answer);
    socket.end(
      [
        `HTTP/1.1 ${status} ${answer.error}`,
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    // The server's sockets are half-open (`allowHalfOpen`): `end` alone sends our FIN and
    // then waits for the client's, which a client that never reads never sends. The
    // answer gets a moment to be read, then the connection is gone either way.
    setTimeout(() => socket.destroy(), REFUSED_SOCKET_LINGER_MS).unref();
  });
}
