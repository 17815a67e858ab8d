import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorBodyDto } from '../common/http/api-errors.decorator';

/** Swagger UI at `/docs`, the OpenAPI 3 document at `/docs-json`. */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Mall service')
    .setDescription(
      [
        'Online-mall backend: products, cart, orders and auth.',
        '',
        'Money is an integer number of minor units (fen / cents). Every error has the body',
        '`{statusCode, error, code, message, requestId}` (validation errors add `details`).',
        'Every response carries `X-Request-Id`. Log in with `POST /v1/auth/login` and press',
        '**Authorize** with the `accessToken` to try the protected routes.',
      ].join('\n'),
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  addContractWideAnswers(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/** Answers any business route may give, whatever it does; documented once here rather than on every handler. */
const CONTRACT_WIDE: Record<string, string> = {
  '413': 'Payload Too Large: PAYLOAD_TOO_LARGE (body over BODY_LIMIT)',
  '415': 'Unsupported Media Type: UNSUPPORTED_MEDIA_TYPE (a body that is not JSON)',
  '429':
    'Too Many Requests: RATE_LIMITED, with Retry-After and RateLimit-Limit / -Remaining / -Reset ' +
    '(RATE_LIMIT_PER_MINUTE per user, or per IP without a token)',
  '431': 'Request Header Fields Too Large: HEADERS_TOO_LARGE (headers over MAX_HEADER_BYTES)',
  '503':
    'Service Unavailable: DATABASE_UNAVAILABLE, REQUEST_TIMEOUT (and CART_UNAVAILABLE on cart routes), with Retry-After',
};

/** Answers about a request body, documented only where there is one. */
const BODY_ONLY = new Set(['413', '415']);

/** 400 codes any route may give, added to what each route documents: about its path, and about its body if it has one. */
const BAD_PATH = 'MALFORMED_URL (a path that is not percent-encoded UTF-8)';
const BAD_BODY =
  'MALFORMED_JSON, JSON_TOO_DEEP (nested deeper than 32 levels), VALIDATION_FAILED for a NUL character or a lone surrogate in any string';

function addContractWideAnswers(document: OpenAPIObject): void {
  const errorBody = { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) } } };
  for (const [path, operations] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/')) {
      continue;
    }
    for (const operation of Object.values(operations)) {
      const { responses, requestBody } = operation as { responses?: Record<string, unknown>; requestBody?: unknown };
      if (!responses) {
        continue;
      }
      for (const [status, description] of Object.entries(CONTRACT_WIDE)) {
        if (!requestBody && BODY_ONLY.has(status)) {
          continue;
        }
        responses[status] ??= { description, content: errorBody };
      }
      const codes = requestBody ? `${BAD_PATH}, ${BAD_BODY}` : BAD_PATH;
      const documented = responses['400'] as { description: string } | undefined;
      if (documented) {
        documented.description = `${documented.description}; also ${codes}`;
      } else {
        responses['400'] = { description: `Bad Request: ${codes}`, content: errorBody };
      }
    }
  }
}
