import { applyDecorators } from '@nestjs/common';
import {
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  type HeaderObject,
  type ReferenceObject,
  type ResponseObject,
} from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { PageTooDeepError } from './page.query';

class FieldProblemDto {
  @ApiProperty({ example: 'price' })
  field: string;

  @ApiProperty({ example: 'price must not be less than 0' })
  message: string;
}

/** The contract's one error body, for the OpenAPI document. */
export class ErrorBodyDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 409 })
  statusCode: number;

  @ApiProperty({ example: 'Conflict', description: 'The standard reason phrase of the status' })
  error: string;

  @ApiProperty({
    example: 'INSUFFICIENT_STOCK',
    pattern: '^[A-Z][A-Z0-9_]*$',
    description: 'Stable UPPER_SNAKE identifier clients can branch on',
  })
  code: string;

  @ApiProperty({ example: 'Only 2 left of product 7' })
  message: string;

  @ApiProperty({ example: '5f0c6a3e-8d1b-4a8e-9f7e-2f1d3c4b5a69', description: 'The X-Request-Id of the answer' })
  requestId: string;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'Only on 400 VALIDATION_FAILED' })
  details?: FieldProblemDto[];
}

/** Error codes an answer may carry, each with an example message: `{ PRODUCT_NOT_FOUND: 'Product 7 does not exist' }`. */
export type ErrorCodes = Record<string, string>;

// The codes of the shared infrastructure, for routes to spread into their ApiErrors.
export const UNAUTHENTICATED: ErrorCodes = { UNAUTHENTICATED: 'A bearer token is required' };
export const FORBIDDEN: ErrorCodes = { FORBIDDEN: 'This needs the admin role' };
export const VALIDATION_FAILED: ErrorCodes = { VALIDATION_FAILED: 'The request body is invalid' };
export const INVALID_PARAMETER: ErrorCodes = { INVALID_PARAMETER: 'id must be a positive integer' };
export const INVALID_QUERY: ErrorCodes = { VALIDATION_FAILED: 'The query string is invalid' };
/** Of every list paged by offset (`PageQuery`). */
export const PAGE_TOO_DEEP: ErrorCodes = { PAGE_TOO_DEEP: new PageTooDeepError().message };

/** Response headers, documented once under `components.headers` and referred to by name. */
export const RESPONSE_HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': {
    required: true,
    description: 'The request id: the incoming `X-Request-Id` when it is a sane token, else a new one',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' },
  },
  Location: {
    required: true,
    description: 'The path of the resource this answer created',
    schema: { type: 'string', example: '/v1/orders/17' },
  },
  'Retry-After': {
    required: true,
    description: 'Seconds to wait before trying again',
    schema: { type: 'string', pattern: '^[0-9]+$', example: '30' },
  },
  'RateLimit-Limit': {
    description: 'Requests allowed per window (RATE_LIMIT_PER_MINUTE); sent while the rate limit is on',
    schema: { type: 'string', pattern: '^[0-9]+$', example: '600' },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window; sent while the rate limit is on',
    schema: { type: 'string', pattern: '^[0-9]+$', example: '599' },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the window resets; sent while the rate limit is on',
    schema: { type: 'string', pattern: '^[0-9]+$', example: '42' },
  },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored first answer to the same Idempotency-Key and body',
    schema: { type: 'string', enum: ['true'] },
  },
};

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

/** A `$ref` to one of {@link RESPONSE_HEADERS}, required or not. */
export function headerRef(name: ResponseHeaderName): ReferenceObject {
  return { $ref: `#/components/headers/${name}` };
}

/** Headers every answer of a status carries (429 and 503 tell when to retry). */
export function headersOfStatus(status: number): Record<string, ReferenceObject> {
  if (status === 429) {
    return {
      'Retry-After': headerRef('Retry-After'),
      'RateLimit-Limit': headerRef('RateLimit-Limit'),
      'RateLimit-Remaining': headerRef('RateLimit-Remaining'),
      'RateLimit-Reset': headerRef('RateLimit-Reset'),
    };
  }
  if (status === 503) {
    return { 'Retry-After': headerRef('Retry-After') };
  }
  return {};
}

/**
 * An error response of the contract's body, with one example per code (so a reader and
 * Swagger UI see the real `code` of each case, not one example for every status).
 */
export function errorResponse(status: number, codes: ErrorCodes): ResponseObject {
  const examples = Object.fromEntries(
    Object.entries(codes).map(([code, message]) => [
      code,
      { summary: code, value: errorExample(status, code, message) },
    ]),
  );
  return {
    description: `${STATUS_CODES[status]}: ${Object.keys(codes).join(', ')}`,
    headers: headersOfStatus(status),
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) }, examples } },
  };
}

/** Adds `codes` to an error response built by {@link errorResponse} (examples and description). */
export function addErrorCodes(response: ResponseObject, status: number, codes: ErrorCodes): void {
  const media = response.content?.['application/json'];
  const examples = (media && (media.examples ??= {})) ?? {};
  for (const [code, message] of Object.entries(codes)) {
    examples[code] ??= { summary: code, value: errorExample(status, code, message) };
  }
  response.description = `${STATUS_CODES[status]}: ${Object.keys(examples).join(', ')}`;
  response.headers = { ...headersOfStatus(status), ...response.headers };
}

function errorExample(status: number, code: string, message: string) {
  return {
    statusCode: status,
    error: STATUS_CODES[status],
    code,
    message,
    requestId: '5f0c6a3e-8d1b-4a8e-9f7e-2f1d3c4b5a69',
    ...(code === 'VALIDATION_FAILED' && message.includes('body')
      ? { details: [{ field: 'price', message: 'price must not be less than 0' }] }
      : {}),
  };
}

/**
 * Documents the error answers of a route or controller, by status and code, all with the
 * contract's error body:
 *
 * ```ts
 * @ApiErrors({ 404: { PRODUCT_NOT_FOUND: 'Product 7 does not exist' }, 401: UNAUTHENTICATED })
 * ```
 *
 * `options.headers` adds response headers to each of these answers.
 */
export function ApiErrors(
  errors: Record<number, ErrorCodes>,
  options: { headers?: Record<string, ReferenceObject> } = {},
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(errors).map(([status, codes]) => {
      const { description, headers, content } = errorResponse(Number(status), codes);
      return ApiResponse({ status: Number(status), description, headers: { ...headers, ...options.headers }, content });
    }),
  );
}
