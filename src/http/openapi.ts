import type { INestApplication, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  DocumentBuilder,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import {
  addErrorCodes,
  ErrorBodyDto,
  type ErrorCodes,
  errorResponse,
  headerRef,
  RESPONSE_HEADERS,
} from '../common/http/api-errors.decorator';
import type { RouteHandler } from '../common/http/http-message';

/**
 * What the document needs to know of each route that only the guards know: whether it
 * needs a token, and whether the per-client rate limit applies. Read from the same
 * metadata the guards read, so the document cannot drift from them.
 */
export interface RouteFacts {
  isPublic(reflector: Reflector, handler: RouteHandler, controller: Type): boolean;
  isRateLimited(reflector: Reflector, handler: RouteHandler, controller: Type): boolean;
}

/**
 * Swagger UI at `/docs`, the OpenAPI 3 document at `/docs-json` (and `/docs-yaml`). The
 * document is built on the first request for it (Swagger keeps it from then on), not at
 * start-up: building it scans every route, a noticeable part of a start that serves no
 * one meanwhile. `npm run openapi:check` still builds it, so a route it cannot describe
 * fails the check rather than the first visitor.
 */
export function setUpOpenApi(app: INestApplication, routes: RouteFacts): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, routes), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}

const TAGS: Array<[string, string]> = [
  ['auth', 'Accounts and bearer tokens'],
  ['products', 'The catalog'],
  ['cart', 'The caller’s own cart'],
  ['orders', 'Checkout, orders and their history'],
  ['webhooks', 'Payment and logistics providers (signed with WEBHOOK_SECRET)'],
  ['health', 'Liveness and readiness probes'],
];

/** The OpenAPI document of `app`'s routes, as `/docs-json` serves it and `npm run openapi` writes it. */
export function buildOpenApiDocument(app: INestApplication, routes: RouteFacts): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Mall service')
    .setDescription(
      [
        'Online-mall backend: products, cart, orders and auth.',
        '',
        'Money is an integer number of minor units (fen / cents). Every error has the body',
        '`{statusCode, error, code, message, requestId}` (validation errors add `details`);',
        'each error response lists the codes it can carry, with an example of each.',
        'Every response carries `X-Request-Id`. Log in with `POST /v1/auth/login` and press',
        '**Authorize** with the `accessToken` to try the protected routes.',
      ].join('\n'),
    )
    .setVersion('1.1')
    // Relative: the document describes the service that serves it, wherever that runs.
    .addServer('/', 'The service serving this document')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'An HS256 token from POST /v1/auth/login. Refused (401 UNAUTHENTICATED) when it lacks exp, iat, jti, ' +
          'sub or role, when sub is not canonical decimal digits, when iat is more than 60 s in the future, when ' +
          "revoked by logout, or when its user no longer exists (a deleted user's token is refused within 30 s).",
      },
      'bearer',
    );
  for (const [name, description] of TAGS) {
    builder.addTag(name, description);
  }
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ErrorBodyDto] });
  document.info.license = { name: 'UNLICENSED (proprietary)' };
  document.components = { ...document.components, headers: { ...RESPONSE_HEADERS } };
  const facts = routeFactsByOperationId(app, routes);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      const fact = facts.get(operation.operationId ?? '');
      if (!fact) {
        throw new Error(`No route found for the OpenAPI operation ${operation.operationId} (${path})`);
      }
      completeOperation(document, path, operation, fact);
    }
  }
  return sortedComponents(document);
}

interface RouteFact {
  isPublic: boolean;
  isRateLimited: boolean;
}

/** Every controller method, under the operation id Swagger gives it by default (`Controller_method`). */
function routeFactsByOperationId(app: INestApplication, routes: RouteFacts): Map<string, RouteFact> {
  const reflector = new Reflector();
  const facts = new Map<string, RouteFact>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) {
        continue;
      }
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (
          typeof handler !== 'function' ||
          Reflect.getMetadata(PATH_METADATA, handler) === undefined ||
          Reflect.getMetadata(METHOD_METADATA, handler) === undefined
        ) {
          continue;
        }
        facts.set(`${controller.name}_${name}`, {
          isPublic: routes.isPublic(reflector, handler, controller),
          isRateLimited: routes.isRateLimited(reflector, handler, controller),
        });
      }
    }
  }
  return facts;
}

/** Answers any business route may give, whatever it does; documented once here rather than on every handler. */
const ON_BODY: Record<number, ErrorCodes> = {
  400: {
    MALFORMED_JSON: 'The request body is not valid JSON',
    JSON_TOO_DEEP: 'The request body is nested deeper than 32 levels',
    VALIDATION_FAILED: 'name must not contain a NUL character or a lone surrogate',
  },
  // A larger Content-Length is answered before the body is read (http/door-refusals.ts).
  413: { PAYLOAD_TOO_LARGE: 'The request body is larger than allowed' },
  415: { UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json' },
};
const ON_BUSINESS: Record<number, ErrorCodes> = {
  400: { MALFORMED_URL: 'The path is not percent-encoded UTF-8' },
  503: {
    DATABASE_UNAVAILABLE: 'The database is not answering; try again',
    REQUEST_TIMEOUT: 'The request took longer than 30000 ms',
  },
};
const ON_RATE_LIMITED: Record<number, ErrorCodes> = { 429: { RATE_LIMITED: 'Too many requests; slow down' } };
const ON_EVERY: Record<number, ErrorCodes> = {
  // Answered before any route: an HTTP/1.1 request without Host, headers or a body too slow to arrive.
  400: { HOST_REQUIRED: 'An HTTP/1.1 request needs a Host header' },
  408: { REQUEST_TIMEOUT: 'The request took too long to arrive' },
  // A request target over MAX_URL_BYTES, refused at the front door (http/door-refusals.ts).
  414: { URI_TOO_LONG: 'The request target is longer than 4096 bytes' },
  431: { HEADERS_TOO_LARGE: 'The request headers are larger than 16384 bytes' },
  // A bug, never an expected answer; documented so that clients know its body carries no stack trace.
  500: { INTERNAL_ERROR: 'Something went wrong; the requestId finds it in the logs' },
};

function completeOperation(document: OpenAPIObject, path: string, operation: OperationObject, fact: RouteFact): void {
  operation.security = fact.isPublic ? [] : [{ bearer: [] }];
  const contractWide = [
    ON_EVERY,
    ...(operation.requestBody ? [ON_BODY] : []),
    ...(path.startsWith('/v1/') ? [ON_BUSINESS] : []),
    ...(fact.isRateLimited ? [ON_RATE_LIMITED] : []),
  ];
  for (const answers of contractWide) {
    for (const [status, codes] of Object.entries(answers)) {
      const existing = operation.responses[status] as ResponseObject | undefined;
      if (existing) {
        addErrorCodes(existing, Number(status), codes);
      } else {
        operation.responses[status] = errorResponse(Number(status), codes);
      }
    }
  }
  for (const [status, response] of Object.entries(operation.responses) as Array<[string, ResponseObject]>) {
    const headers: Record<string, ReferenceObject> = { 'X-Request-Id': headerRef('X-Request-Id') };
    if (status === '201') {
      headers.Location = headerRef('Location');
    }
    if (fact.isRateLimited) {
      headers['RateLimit-Limit'] = headerRef('RateLimit-Limit');
      headers['RateLimit-Remaining'] = headerRef('RateLimit-Remaining');
      headers['RateLimit-Reset'] = headerRef('RateLimit-Reset');
    }
    response.headers = { ...headers, ...response.headers };
  }
  const body = operation.requestBody as { content?: Record<string, { schema?: ReferenceObject }> } | undefined;
  const ref = body?.content?.['application/json']?.schema?.$ref;
  if (ref) {
    withoutDefaults(document, ref, document.paths[path].patch === operation);
  }
}

/**
 * Request bodies state their defaults in words, not as `default`: generators such as
 * openapi-typescript type a property with a `default` as always present, so a client could
 * not leave it out. A PATCH body's omitted field means "unchanged", so its defaults (which
 * PartialType copies from the create body) are dropped altogether.
 */
function withoutDefaults(document: OpenAPIObject, ref: string, isPatch: boolean): void {
  const schema = document.components?.schemas?.[ref.split('/').pop()!] as SchemaObject | undefined;
  for (const property of Object.values(schema?.properties ?? {}) as SchemaObject[]) {
    if (property.default === undefined) {
      continue;
    }
    if (!isPatch) {
      const omitted = `Omitted: \`${JSON.stringify(property.default)}\`.`;
      property.description = property.description ? `${property.description}. ${omitted}` : omitted;
    }
    delete property.default;
  }
}

/** Components in name order, so the written document does not depend on module load order. */
function sortedComponents(document: OpenAPIObject): OpenAPIObject {
  const components = Object.fromEntries(
    Object.entries(document.components ?? {}).map(([kind, entries]) => [
      kind,
      Object.fromEntries(Object.entries(entries as object).sort(([a], [b]) => a.localeCompare(b))),
    ]),
  );
  return { ...document, components };
}
