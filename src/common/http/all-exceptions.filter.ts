import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { DomainError, ValidationFailedError } from '../errors/domain-error';
import { ErrorBody, errorBody } from '../errors/error-body';
import { ERROR_MAPPERS, type ErrorMapper } from './error-mappers';
import { pathOf, type HttpRequest } from './http-message';
import { requestIdOf } from './request-id';

/** body-parser / raw-body error types and what they mean to a client. */
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': { status: 400, code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than allowed' },
  'encoding.unsupported': {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'The body encoding is not supported',
  },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The body charset is not supported' },
  'request.aborted': { status: 400, code: 'REQUEST_ABORTED', message: 'The request was aborted' },
};

/** A path that is not percent-encoded UTF-8. */
const MALFORMED_URL = { code: 'MALFORMED_URL', message: 'The request path is not valid percent-encoded UTF-8' };

function upperSnake(phrase: string): string {
  return phrase
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/**
 * The single place where anything thrown becomes the contract's error body. Errors of
 * the layers below (an unavailable database) are recognised by their layers' mappers
 * ({@link ERROR_MAPPERS}). Unknown errors are logged with their stack and answered with
 * a bare 500.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    protected readonly adapterHost: HttpAdapterHost,
    @Inject(ERROR_MAPPERS) protected readonly mappers: readonly ErrorMapper[],
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const http = host.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    const res = http.getResponse<unknown>();
    const requestId = requestIdOf(req);
    const { body, headers } = this.describe(exception, requestId, req);
    if (httpAdapter.isHeadersSent(res)) {
      httpAdapter.end(res);
      return;
    }
    for (const [name, value] of Object.entries(headers)) {
      httpAdapter.setHeader(res, name, value);
    }
    this.send(res, body, req);
  }

  /**
   * Writes the error body; the mapping above stays the one place that decides status and
   * code. Subclasses answer in another form (the storefront's HTML error page).
   */
  protected send(res: unknown, body: ErrorBody, _req: HttpRequest): void {
    this.adapterHost.httpAdapter.reply(res, body, body.statusCode);
  }

  private describe(
    exception: unknown,
    requestId: string,
    req: HttpRequest,
  ): { body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof ValidationFailedError) {
      return {
        body: errorBody(exception.status, exception.code, exception.message, requestId, exception.details),
        headers: {},
      };
    }
    if (exception instanceof DomainError) {
      return {
        body: errorBody(exception.status, exception.code, exception.message, requestId),
        headers: exception.headers,
      };
    }
    const original = exception instanceof HttpException ? exception.cause : exception;
    if (original instanceof URIError) {
      // Express's router could not percent-decode a path parameter.
      return { body: errorBody(400, MALFORMED_URL.code, MALFORMED_URL.message, requestId), headers: {} };
    }
    const bodyError = this.bodyParserError(exception);
    if (bodyError) {
      return { body: errorBody(bodyError.status, bodyError.code, bodyError.message, requestId), headers: {} };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) {
        const message = `No route for ${req.method} ${pathOf(req.url)}`;
        return { body: errorBody(404, 'ROUTE_NOT_FOUND', message, requestId), headers: {} };
      }
      const phrase = STATUS_CODES[status] ?? 'Error';
      return { body: errorBody(status, upperSnake(phrase), exception.message, requestId), headers: {} };
    }
    for (const map of this.mappers) {
      const mapped = map(exception);
      if (mapped) {
        return this.describe(mapped, requestId, req);
      }
    }
    this.logger.error({ err: exception, requestId }, 'Unhandled error');
    return {
      body: errorBody(500, 'INTERNAL_ERROR', 'Something went wrong on our side', requestId),
      headers: {},
    };
  }

  /**
   * Nest wraps body-parser's errors in an HttpException; the original is its `cause`, and
   * tells its kind by `type`.
   */
  private bodyParserError(exception: unknown) {
    const original = exception instanceof HttpException ? exception.cause : exception;
    const { type } = (original ?? {}) as { type?: unknown };
    return typeof type === 'string' && Object.hasOwn(BODY_ERRORS, type) ? BODY_ERRORS[type] : undefined;
  }
}
