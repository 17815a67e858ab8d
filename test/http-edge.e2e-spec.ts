import { closeSuite, newCustomer, openSuite, startApp, TestApp, TestWorld } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP edge', () => {
  let world: TestWorld;
  let t: TestApp;

  beforeAll(async () => ({ world, t } = await openSuite({ BODY_LIMIT: '1kb', MAX_HEADER_BYTES: '4096' })));
  afterAll(() => closeSuite({ world, t }));

  describe('X-Request-Id', () => {
    it('echoes a sane incoming id, on success and on error', async () => {
      const ok = await t.http.get('/v1/products').set('X-Request-Id', 'abc.DEF_123-x').expect(200);
      expect(ok.headers['x-request-id']).toBe('abc.DEF_123-x');
      const error = await t.http.get('/v1/products/999999').set('X-Request-Id', 'trace-42').expect(404);
      expect(error.headers['x-request-id']).toBe('trace-42');
      expect(error.body.requestId).toBe('trace-42');
    });

    it.each(['has space', 'x'.repeat(129), 'semi;colon', ''])('replaces an insane id %j with a new one', async (id) => {
      const res = await t.http.get('/health/live').set('X-Request-Id', id).expect(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
    });
  });

  describe('error bodies', () => {
    it('answers an unknown route with 404 ROUTE_NOT_FOUND in the contract shape', async () => {
      const res = await t.http
        .get('/v1/nothing-here')
        .expect(404)
        .expect('Content-Type', 'application/json; charset=utf-8');
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        code: 'ROUTE_NOT_FOUND',
        message: expect.any(String),
        requestId: res.headers['x-request-id'],
      });
    });

    it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
      const res = await t.http
        .post('/v1/auth/register')
        .set('Content-Type', 'application/json')
        .send('{"email": ')
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'MALFORMED_JSON' });
    });

    it('answers a body over BODY_LIMIT with 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await t.http
        .post('/v1/auth/register')
        .send({ email: 'big@example.com', password: 'long-enough-1', name: 'x'.repeat(2000) })
        .expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', code: 'PAYLOAD_TOO_LARGE' });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    });

    it('answers a non-JSON body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const res = await t.http
        .post('/v1/auth/login')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('email=a&password=b')
        .expect(415);
      expect(res.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('answers headers over MAX_HEADER_BYTES with 431 and the error body', async () => {
      const res = await t.http.get('/v1/products').set('X-Padding', 'p'.repeat(8000));
      expect(res.status).toBe(431);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toMatchObject({
        statusCode: 431,
        error: 'Request Header Fields Too Large',
        code: 'HEADERS_TOO_LARGE',
        requestId: res.headers['x-request-id'],
      });
    });

    it('never leaks a stack trace', async () => {
      const res = await t.http.get('/v1/products/%E0%A4%A').expect(400);
      expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
    });
  });

  describe('operations', () => {
    it('reports liveness and readiness naming each dependency', async () => {
      await t.http.get('/health/live').expect(200, { status: 'ok' });
      const ready = await t.http.get('/health/ready').expect(200);
      expect(ready.body.status).toBe('ok');
      expect(ready.body.info.database.status).toBe('up');
      expect(ready.body.info.redis?.status).toBe(world.redisUrl ? 'up' : undefined);
    });

    it('serves Swagger UI and an OpenAPI 3 document of every business and health route', async () => {
      const ui = await t.http.get('/docs').redirects(1).expect(200);
      expect(ui.text).toContain('swagger-ui');
      const { body: doc } = await t.http.get('/docs-json').expect(200);
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(routes).toEqual(
        expect.arrayContaining([
          'POST /v1/auth/register',
          'POST /v1/auth/login',
          'POST /v1/auth/logout',
          'GET /v1/auth/me',
          'GET /v1/products',
          'POST /v1/products',
          'GET /v1/products/{id}',
          'PATCH /v1/products/{id}',
          'DELETE /v1/products/{id}',
          'GET /health/live',
          'GET /health/ready',
        ]),
      );
      const create = doc.paths['/v1/products'].post;
      expect(create.security).toEqual([{ bearer: [] }]);
      expect(create.requestBody.content['application/json'].schema.$ref).toMatch(/CreateProductDto/);
      expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409']));
      expect(create.responses['409'].content['application/json'].schema.$ref).toMatch(/ErrorBodyDto/);
      // answers any business route may give are documented everywhere, body answers only with a body
      const read = doc.paths['/v1/products/{id}'].get;
      expect(Object.keys(read.responses)).toEqual(expect.arrayContaining(['429', '431', '503']));
      expect(Object.keys(read.responses)).not.toContain('413');
      expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['413', '415', '429', '503']));
    });

    it('exposes Prometheus metrics with route templates', async () => {
      await t.http.get('/v1/products/1');
      const res = await t.http.get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/v1\/products\/:id",status_code="\d{3}"\} \d+/,
      );
      expect(res.text).toMatch(/cache_requests_total\{layer="l1",result="(hit|miss)"\} \d+/);
      expect(res.text).toContain('db_pool_connections_total');
      expect(res.text).toContain('process_cpu_user_seconds_total');
    });
  });

  describe('rate limit', () => {
    let limited: TestApp;

    beforeAll(async () => {
      limited = await startApp(world, { RATE_LIMIT_PER_MINUTE: '5' });
    });
    afterAll(async () => {
      await limited?.close();
    });

    it('answers 429 with Retry-After and RateLimit headers past the limit, per client', async () => {
      const user = await newCustomer(limited.http); // registration and login count for the IP
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 7; i++) {
        last = await limited.http.get('/v1/auth/me').set('Authorization', user.auth);
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      expect(last!.body.code).toBe('RATE_LIMITED');
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      expect(last!.headers['ratelimit-limit']).toBe('5');
      expect(last!.headers['ratelimit-remaining']).toBe('0');
      expect(Number(last!.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
      // health probes are not counted
      await limited.http.get('/health/live').expect(200);
    });
  });
});
