import fc from 'fast-check';
import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { signWebhook } from '../src/orders/webhooks/webhook-signature.guard';
import { createProduct } from './support/catalog';
import { hostileUrlText, percentEncode, SchemaArbitraries, wrongType, type Schema } from './support/hostile';
import { closeSuite, newCustomer, openSuite, TestApp, TestWorld } from './support/test-app';

/**
 * Property-based fuzzing of every route in the OpenAPI document: generated path and query
 * parameters, headers and bodies, hostile as often as not, sent as anonymous, customer and
 * admin. Whatever arrives, the answer is never a 5xx, every error has the contract's body
 * (without a stack), and the service is still ready afterwards.
 *
 * `npm test` runs FUZZ_RUNS (default 40) cases per route with fixed seeds, so a failure
 * repeats; `npm run fuzz` runs many more. FUZZ_SEED changes the seeds.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const WEBHOOK_SECRET = 'fuzz-webhook-secret';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header'; schema?: Schema }>;
  body?: Schema;
  security?: unknown[];
}

interface Case {
  who: 'anonymous' | 'customer' | 'admin' | 'garbage';
  path: Record<string, string>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string };
  sign: boolean;
}

function operationsOf(document: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, spec] of Object.entries(methods)) {
      const { parameters = [], requestBody } = spec as {
        parameters?: Operation['parameters'];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
      };
      operations.push({
        method: method as Operation['method'],
        path,
        parameters,
        body: requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return operations;
}

/** A seed per route, stable across runs and document changes elsewhere. */
/** `7` → `7`, `"abc"` → `abc`, anything else as its JSON; percent-encoded. */
function queryTextOf(value: unknown): string {
  return percentEncode(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
}

function seedOf(operation: Operation): number {
  return BASE_SEED ^ createHash('sha256').update(`${operation.method} ${operation.path}`).digest().readInt32BE(0);
}

const HEADER_TEXT = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 300 }),
  fc.constantFrom('', ' ', 'key-1', 'x'.repeat(256)),
);

describe('Fuzzing every route of the OpenAPI document', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;
  let customer: string;
  let operations: Operation[];
  let arbitraries: SchemaArbitraries;
  let productId: number;

  beforeAll(async () => {
    ({ world, t, admin } = await openSuite({ WEBHOOK_SECRET, AUTH_RATE_LIMIT_PER_MINUTE: '0' }));
    customer = (await newCustomer(t.http)).auth;
    productId = (await createProduct(t, admin, { stock: 1000 })).id;
    const document = (await t.http.get('/docs-json').expect(200)).body;
    operations = operationsOf(document);
    arbitraries = new SchemaArbitraries(document.components?.schemas ?? {});
  });
  afterAll(() => closeSuite({ world, t }));

  function caseOf(operation: Operation): fc.Arbitrary<Case> {
    const pathParams = operation.parameters.filter((p) => p.in === 'path');
    const queryParams = operation.parameters.filter((p) => p.in === 'query');
    const headerParams = operation.parameters.filter((p) => p.in === 'header' && p.name !== 'X-Signature');
    const idText = fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(String(productId), '1', '2') },
      { weight: 3, arbitrary: hostileUrlText() },
    );
    // The query as an object of its parameters (one of them hostile, as bodies are), each
    // value sent as text; sometimes one more parameter of hostile raw text.
    const querySchema: Schema = {
      type: 'object',
      properties: Object.fromEntries(queryParams.map((p) => [p.name, p.schema ?? {}])),
    };
    const query = fc
      .tuple(
        arbitraries.object(querySchema),
        fc.oneof(
          { weight: 7, arbitrary: fc.constant([] as Array<[string, string]>) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.constantFrom('page', 'q', 'x', ...queryParams.map((p) => p.name)), hostileUrlText())
              .map((pair) => [pair]),
          },
        ),
      )
      .map(([values, extra]): Array<[string, string]> => [
        ...Object.entries(values).map(([name, value]): [string, string] => [percentEncode(name), queryTextOf(value)]),
        ...extra,
      ]);
    const body = operation.body
      ? fc.oneof(
          {
            weight: 6,
            arbitrary: arbitraries
              .object(arbitraries.resolve(operation.body))
              .map((value) => ({ kind: 'json' as const, value })),
          },
          { weight: 2, arbitrary: wrongType().map((value) => ({ kind: 'json' as const, value })) },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom('{"a":', '', '{"a":1}garbage', '\u0000', '{"a":"\\ud800"}', '['.repeat(60))
              .map((text) => ({ kind: 'raw' as const, text })),
          },
          { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
        )
      : fc.oneof(
          { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
          { weight: 1, arbitrary: wrongType().map((value) => ({ kind: 'json' as const, value })) },
        );
    return fc.record({
      who: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('customer' as const, 'admin' as const) },
        { weight: 1, arbitrary: fc.constantFrom('anonymous' as const, 'garbage' as const) },
      ),
      path: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, idText]))) as fc.Arbitrary<
        Record<string, string>
      >,
      query,
      headers: fc.record(Object.fromEntries(headerParams.map((p) => [p.name, HEADER_TEXT])), {
        requiredKeys: [],
      }) as fc.Arbitrary<Record<string, string>>,
      body,
      sign: fc.boolean(),
    });
  }

  async function send(operation: Operation, c: Case): Promise<Response> {
    // Logging out would revoke the shared tokens: log out garbage and anonymous only.
    const who = operation.path === '/v1/auth/logout' && (c.who === 'customer' || c.who === 'admin') ? 'garbage' : c.who;
    const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => c.path[name] ?? '1');
    const search = c.query.map(([name, value]) => `${name}=${value}`).join('&');
    let req = t.http[operation.method](search ? `${path}?${search}` : path);
    const auth = { customer, admin, garbage: 'Bearer not.a.token', anonymous: undefined }[who];
    if (auth) {
      req = req.set('Authorization', auth);
    }
    for (const [name, value] of Object.entries(c.headers)) {
      req = req.set(name, value);
    }
    if (c.body.kind === 'none') {
      return req;
    }
    const raw = c.body.kind === 'raw' ? c.body.text : (JSON.stringify(c.body.value) ?? 'null');
    if (c.sign && operation.path.startsWith('/v1/webhooks/')) {
      req = req.set('X-Signature', signWebhook(raw, WEBHOOK_SECRET));
    }
    return req.set('Content-Type', 'application/json').send(raw);
  }

  function problemWith(res: Response): string | undefined {
    if (res.status >= 500) {
      return `answered ${res.status} ${res.text.slice(0, 300)}`;
    }
    if (res.status < 400) {
      return undefined;
    }
    const body = res.body as Record<string, unknown>;
    const shapeOk =
      body.statusCode === res.status &&
      typeof body.error === 'string' &&
      typeof body.code === 'string' &&
      /^[A-Z][A-Z0-9_]*$/.test(body.code) &&
      typeof body.message === 'string' &&
      body.requestId === res.headers['x-request-id'] &&
      Object.keys(body).every((key) =>
        ['statusCode', 'error', 'code', 'message', 'requestId', 'details'].includes(key),
      );
    if (!shapeOk) {
      return `answered ${res.status} without the contract error body: ${res.text.slice(0, 300)}`;
    }
    if (/\bat .+:\d+:\d+/.test(res.text)) {
      return `leaked a stack trace: ${res.text.slice(0, 300)}`;
    }
    return undefined;
  }

  it(
    `answers ${RUNS} generated requests per route with no 5xx and only contract error bodies`,
    async () => {
      expect(operations.length).toBeGreaterThan(20);
      const failures: string[] = [];
      for (const operation of operations) {
        const result = await fc.check(
          fc.asyncProperty(caseOf(operation), async (c) => {
            const res = await send(operation, c);
            const problem = problemWith(res);
            if (problem) {
              throw new Error(problem);
            }
          }),
          { numRuns: RUNS, seed: seedOf(operation), endOnFailure: true },
        );
        if (result.failed) {
          failures.push(
            `${operation.method.toUpperCase()} ${operation.path} (seed ${result.seed}, path ${result.counterexamplePath}): ` +
              `${(result.errorInstance as Error)?.message}\n  case: ${JSON.stringify(result.counterexample?.[0]).slice(0, 600)}`,
          );
        }
      }
      await t.http.get('/health/ready').expect(200);
      expect(failures).toEqual([]);
    },
    Math.max(120_000, RUNS * 8_000),
  );
});
