import {
  ArgumentsHost,
  BadRequestException,
  HttpException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainError, TooManyRequestsError, ValidationFailedError } from '../errors/domain-error';
import type { ErrorBody } from '../errors/error-body';
import { AllExceptionsFilter } from './all-exceptions.filter';
import type { ErrorMapper } from './error-mappers';

interface Recorded {
  status?: number;
  body?: ErrorBody;
  headers: Record<string, string>;
  ended: boolean;
}

function respond(
  exception: unknown,
  request: Record<string, unknown> = {},
  headersSent = false,
  mappers: ErrorMapper[] = [],
): Recorded {
  const recorded: Recorded = { headers: {}, ended: false };
  // The filter answers through Nest's HTTP adapter: a recording one here.
  const httpAdapter = {
    isHeadersSent: () => headersSent,
    setHeader: (_res: unknown, name: string, value: string) => {
      recorded.headers[name] = value;
    },
    reply: (_res: unknown, body: ErrorBody, status: number) => {
      recorded.status = status;
      recorded.body = body;
    },
    end: () => {
      recorded.ended = true;
    },
  };
  const req = { id: 'req-1', method: 'GET', url: '/v1/things?page=2', headers: {}, ...request };
  const host = {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}) }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter({ httpAdapter } as unknown as HttpAdapterHost, mappers).catch(exception, host);
  return recorded;
}

describe('AllExceptionsFilter', () => {
  let logError: jest.SpyInstance;

  beforeEach(() => {
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    logError.mockRestore();
  });

  it('answers a DomainError with its status, code, message and the request id', () => {
    const { status, body } = respond(new DomainError(409, 'EMAIL_TAKEN', 'Already there'));
    expect(status).toBe(409);
    expect(body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'EMAIL_TAKEN',
      message: 'Already there',
      requestId: 'req-1',
    });
  });

  it("sets a DomainError's extra headers", () => {
    const { status, body, headers } = respond(new TooManyRequestsError('RATE_LIMITED', 'Slow down', 2.2));
    expect(status).toBe(429);
    expect(body).toMatchObject({ error: 'Too Many Requests', code: 'RATE_LIMITED' });
    expect(headers).toEqual({ 'Retry-After': '3' });
  });

  it('adds the field details of a ValidationFailedError', () => {
    const details = [{ field: 'items.0.quantity', message: 'quantity must not be less than 1' }];
    const { status, body } = respond(new ValidationFailedError(details));
    expect(status).toBe(400);
    expect(body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: 'The request body is invalid',
      requestId: 'req-1',
      details,
    });
  });

  it('maps a malformed JSON body to 400 MALFORMED_JSON', () => {
    const exception = new BadRequestException('Unexpected token', { cause: { type: 'entity.parse.failed' } });
    const { status, body } = respond(exception);
    expect(status).toBe(400);
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'MALFORMED_JSON', requestId: 'req-1' });
    expect(body?.message).not.toContain('Unexpected token');
  });

  it('maps an oversized body to 413 PAYLOAD_TOO_LARGE', () => {
    const exception = new PayloadTooLargeException('request entity too large', { cause: { type: 'entity.too.large' } });
    const { status, body } = respond(exception);
    expect(status).toBe(413);
    expect(body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', code: 'PAYLOAD_TOO_LARGE' });
  });

  it('recognises a raw body-parser error that was not wrapped', () => {
    const raw = Object.assign(new Error('too big'), { type: 'entity.too.large', status: 413 });
    expect(respond(raw).body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('maps a NotFoundException to 404 ROUTE_NOT_FOUND naming the method and path', () => {
    const { status, body } = respond(new NotFoundException(), { method: 'DELETE', url: '/v1/nowhere?x=1' });
    expect(status).toBe(404);
    expect(body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'ROUTE_NOT_FOUND',
      message: 'No route for DELETE /v1/nowhere',
      requestId: 'req-1',
    });
  });

  it('derives the code of another HttpException from its reason phrase', () => {
    const { status, body } = respond(new HttpException('Use GET', 405));
    expect(status).toBe(405);
    expect(body).toMatchObject({ error: 'Method Not Allowed', code: 'METHOD_NOT_ALLOWED', message: 'Use GET' });
  });

  it('answers an unknown error with a bare 500 that leaks nothing, and logs it', () => {
    const error = new Error('connection to db-internal:5432 refused');
    const { status, body } = respond(error);
    expect(status).toBe(500);
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Something went wrong on our side',
      requestId: 'req-1',
    });
    const text = JSON.stringify(body);
    expect(text).not.toContain('db-internal');
    expect(text).not.toContain(error.stack!.split('\n')[1].trim());
    expect(logError).toHaveBeenCalledWith({ err: error, requestId: 'req-1' }, 'Unhandled error');
  });

  // A `type` naming an Object.prototype member must not pass for a body-parser error.
  it.each(['constructor', 'toString'])('answers an error whose type is %j with a 500', (type) => {
    const { status, body } = respond(Object.assign(new Error('library failure'), { type }));
    expect(status).toBe(500);
    expect(body).toMatchObject({ statusCode: 500, code: 'INTERNAL_ERROR' });
  });

  it('answers a thrown non-Error value with a 500 too', () => {
    expect(respond('boom')).toMatchObject({ status: 500, body: { code: 'INTERNAL_ERROR' } });
    expect(respond(null)).toMatchObject({ status: 500, body: { code: 'INTERNAL_ERROR' } });
  });

  it('gives the body a fresh request id when the request has none', () => {
    const { body } = respond(new DomainError(400, 'X', 'x'), { id: undefined });
    expect(body?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('only ends the response when the headers were already sent', () => {
    const recorded = respond(new DomainError(429, 'X', 'x', { 'Retry-After': '1' }), {}, true);
    expect(recorded).toEqual({ headers: {}, ended: true });
  });

  it('answers what the first error mapper that knows the error says, with its headers', () => {
    const outage = new Error('driver: connection refused');
    const mappers: ErrorMapper[] = [
      () => undefined,
      (error) => (error === outage ? new DomainError(503, 'STORE_DOWN', 'Down', { 'Retry-After': '5' }) : undefined),
      () => new DomainError(500, 'NOT_ASKED', 'The first answer wins'),
    ];
    const { status, body, headers } = respond(outage, {}, false, mappers);
    expect(status).toBe(503);
    expect(body).toMatchObject({ statusCode: 503, code: 'STORE_DOWN', message: 'Down' });
    expect(headers).toEqual({ 'Retry-After': '5' });
    expect(logError).not.toHaveBeenCalled();
  });
});
