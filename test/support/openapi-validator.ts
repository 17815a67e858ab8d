import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';

/** The committed snapshot of what `/docs-json` serves (test/openapi-contract.e2e-spec.ts checks they agree). */
export const SNAPSHOT_PATH = join(__dirname, '..', '..', 'openapi', 'openapi.json');

/** What the validator needs of an HTTP answer. */
export interface Answer {
  method: string;
  /** The request target's path, without the query string. */
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string | undefined;
  body: unknown;
}

interface HeaderObject {
  required?: boolean;
  schema?: object;
}
interface ResponseObject {
  headers?: Record<string, HeaderObject | { $ref: string }>;
  content?: Record<string, { schema?: object }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components?: { headers?: Record<string, HeaderObject> };
}

/**
 * Checks answers against an OpenAPI 3.0 document: the status is documented for the
 * operation, every required documented header is present and every documented header
 * that is present matches its schema, and a JSON body matches the response's schema
 * (ajv, with formats: `int32`, `date-time`, `email`, …). Requests to paths or methods the
 * document does not describe (`/metrics`, `/docs`, unknown routes) are not checked.
 * Schemas are compiled on first use and kept.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  private readonly routes: Array<{ template: string; pattern: RegExp }>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    // The whole document is one schema resource, so `#/components/...` refs resolve inside it.
    this.ajv.addSchema(document as object, 'openapi');
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // A literal path wins over a templated one that also matches.
      .sort((a, b) => a.params - b.params);
  }

  /** What is wrong with `answer` by the document; empty when it conforms or is not described. */
  problemsOf(answer: Answer): string[] {
    const route = this.routes.find(({ pattern }) => pattern.test(answer.path));
    const method = answer.method.toLowerCase();
    const operation = route && this.document.paths[route.template][method];
    if (!route || !operation) {
      return [];
    }
    const where = `${answer.method.toUpperCase()} ${route.template} → ${answer.status}`;
    const response = operation.responses[String(answer.status)] ?? operation.responses.default;
    if (!response) {
      return [`${where}: status ${answer.status} is not documented (documented: ${Object.keys(operation.responses)})`];
    }
    const pointer = ['paths', route.template, method, 'responses', String(answer.status)];
    return [...this.headerProblems(where, response, answer), ...this.bodyProblems(where, pointer, response, answer)];
  }

  private headerProblems(where: string, response: ResponseObject, answer: Answer): string[] {
    const problems: string[] = [];
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      const header = this.resolveHeader(declared);
      const value = answer.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) {
          problems.push(`${where}: header ${name} is documented as required but missing`);
        }
        continue;
      }
      if (header.schema) {
        const validate = this.compile(`header:${name}`, header.schema);
        if (!validate(Array.isArray(value) ? value.join(', ') : value)) {
          problems.push(`${where}: header ${name}: ${String(value)} ${this.ajv.errorsText(validate.errors)}`);
        }
      }
    }
    return problems;
  }

  private bodyProblems(where: string, pointer: string[], response: ResponseObject, answer: Answer): string[] {
    const media = response.content?.['application/json'];
    if (!media?.schema) {
      return [];
    }
    if (!answer.contentType?.startsWith('application/json')) {
      return [`${where}: documented as application/json, answered ${answer.contentType ?? 'no content type'}`];
    }
    const ref = `openapi#/${[...pointer, 'content', 'application/json', 'schema'].map(escapePointer).join('/')}`;
    const validate = this.compile(ref, { $ref: ref });
    if (validate(answer.body)) {
      return [];
    }
    return [`${where}: body does not match the schema: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`];
  }

  private resolveHeader(declared: HeaderObject | { $ref: string }): HeaderObject {
    if ('$ref' in declared) {
      const name = declared.$ref.split('/').pop()!;
      const header = this.document.components?.headers?.[name];
      if (!header) {
        throw new Error(`Unknown header reference ${declared.$ref}`);
      }
      return header;
    }
    return declared;
  }

  private compile(key: string, schema: object): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

function escapePointer(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
}

let snapshotValidator: OpenApiValidator | undefined;

/** The validator of the committed snapshot, built once per test file (Jest gives each its own modules). */
export function snapshotOpenApiValidator(): OpenApiValidator {
  snapshotValidator ??= new OpenApiValidator(JSON.parse(readFileSync(SNAPSHOT_PATH, 'utf8')) as OpenApiDocument);
  return snapshotValidator;
}

/** The {@link Answer} of a supertest response. */
export function answerOf(res: Response): Answer {
  const req = (res as Response & { req: { method: string; path: string } }).req;
  return {
    method: req.method,
    path: req.path.split('?')[0],
    status: res.status,
    headers: res.headers as Answer['headers'],
    contentType: res.headers['content-type'] as string | undefined,
    body: res.body,
  };
}

/** A supertest assertion: fails the request's test when its answer breaks the documented contract. */
export function conformsToOpenApi(res: Response): void {
  const problems = snapshotOpenApiValidator().problemsOf(answerOf(res));
  if (problems.length > 0) {
    throw new Error(`The answer breaks the OpenAPI document:\n  ${problems.join('\n  ')}`);
  }
}
