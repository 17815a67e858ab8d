import { SwaggerModule } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { type Answer, type OpenApiDocument, OpenApiValidator, SNAPSHOT_PATH } from './support/openapi-validator';
import { closeSuite, openSuite, type Suite } from './support/test-app';

const snapshot = JSON.parse(readFileSync(SNAPSHOT_PATH, 'utf8')) as OpenApiDocument;

describe('The OpenAPI document', () => {
  let suite: Partial<Suite> = {};
  const builds = jest.spyOn(SwaggerModule, 'createDocument');
  beforeAll(async () => {
    suite = await openSuite();
  });
  afterAll(async () => {
    builds.mockRestore();
    await closeSuite(suite);
  });

  it('is not built at start-up, only when first asked for', () => {
    expect(builds.mock.calls.length).toBe(0);
  });

  it('served at /docs-json is the committed snapshot (npm run openapi writes it)', async () => {
    const res = await suite.t!.http.get('/docs-json').expect(200);
    expect(res.body).toEqual(snapshot);
  });

  it('is built once, and Swagger UI at /docs embeds that same document', async () => {
    await suite.t!.http.get('/docs').expect(200);
    const init = await suite.t!.http.get('/docs/swagger-ui-init.js').expect(200);
    for (const path of Object.keys(snapshot.paths)) {
      expect(init.text).toContain(JSON.stringify(path));
    }
    await suite.t!.http.get('/docs-json').expect(200);
    expect(builds).toHaveBeenCalledTimes(1);
  });
});

describe('The response validator the e2e suite runs on every answer', () => {
  const validator = new OpenApiValidator(snapshot);
  const product = {
    id: 7,
    sku: 'KB-MECH-87',
    name: '机械键盘',
    description: '',
    price: 89900,
    stock: 5,
    sales: 0,
    status: 'active',
    createdAt: '2026-11-23T08:00:00.000Z',
    updatedAt: '2026-11-23T08:00:00.000Z',
  };
  const answer = (overrides: Partial<Answer>): Answer => ({
    method: 'GET',
    path: '/v1/products/7',
    status: 200,
    headers: { 'x-request-id': 'req-1' },
    contentType: 'application/json; charset=utf-8',
    body: product,
    ...overrides,
  });

  it('passes an answer as documented', () => {
    expect(validator.problemsOf(answer({}))).toEqual([]);
  });

  it('catches a body that does not match its schema', () => {
    const problems = validator.problemsOf(answer({ body: { ...product, price: '89900', createdAt: 'yesterday' } }));
    expect(problems).toEqual([
      expect.stringMatching(/body\/price must be integer.*body\/createdAt must match format "date-time"/),
    ]);
  });

  it('catches an undocumented status, a missing required header and a wrong content type', () => {
    expect(validator.problemsOf(answer({ status: 418 }))).toEqual([
      expect.stringContaining('status 418 is not documented'),
    ]);
    expect(validator.problemsOf(answer({ headers: {} }))).toEqual([
      expect.stringContaining('header X-Request-Id is documented as required but missing'),
    ]);
    expect(validator.problemsOf(answer({ contentType: 'text/html' }))).toEqual([
      expect.stringContaining('answered text/html'),
    ]);
  });

  it('checks the Location of a 201 and an error body by the error schema', () => {
    const created = answer({ method: 'POST', path: '/v1/products', status: 201 });
    expect(validator.problemsOf(created)).toEqual([expect.stringContaining('header Location')]);
    const error = { statusCode: 404, error: 'Not Found', code: 'product not found', message: 'x', requestId: 'req-1' };
    expect(validator.problemsOf(answer({ status: 404, body: error }))).toEqual([
      expect.stringContaining('body/code must match pattern'),
    ]);
  });

  it('leaves alone what the document does not describe', () => {
    expect(validator.problemsOf(answer({ path: '/metrics', contentType: 'text/plain', body: '' }))).toEqual([]);
    expect(validator.problemsOf(answer({ method: 'PUT' }))).toEqual([]);
  });
});
