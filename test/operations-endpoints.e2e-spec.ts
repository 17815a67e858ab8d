import { createWorld, startApp, type TestApp, type TestWorld } from './support/test-app';
import { awayFromMinuteEdge } from './support/wait';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** `/metrics` and `/health/*` are never rate-limited; `METRICS_TOKEN` guards `/metrics`. */
describe('Operations endpoints', () => {
  let world: TestWorld;
  let guarded: TestApp;
  let open: TestApp;

  beforeAll(async () => {
    world = await createWorld();
    // one request a minute: the second of anything counted would be a 429
    guarded = await startApp(world, { RATE_LIMIT_PER_MINUTE: '1', METRICS_TOKEN });
    open = await startApp(world, { RATE_LIMIT_PER_MINUTE: '1', METRICS_TOKEN: undefined });
  });
  afterAll(async () => {
    await guarded?.close();
    await open?.close();
    await world?.drop();
  });

  it('never rate-limits scrapes and probes, however many', async () => {
    await awayFromMinuteEdge();
    for (let i = 0; i < 5; i++) {
      await guarded.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      await open.http.get('/metrics').expect(200);
      await guarded.http.get('/health/live').expect(200);
      await guarded.http.get('/health/ready').expect(200);
    }
    // while the business routes are limited
    await guarded.http.get('/v1/products').expect(200);
    expect((await guarded.http.get('/v1/products').expect(429)).body.code).toBe('RATE_LIMITED');
    await guarded.http.get('/health/live').expect(200);
    await guarded.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
  });

  it('serves /metrics to its bearer token only when METRICS_TOKEN is set', async () => {
    const scrape = await guarded.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(scrape.text).toContain('http_request_duration_seconds');

    for (const authorization of [
      undefined,
      `Bearer ${METRICS_TOKEN}x`,
      `Bearer ${METRICS_TOKEN.slice(0, -1)}`,
      'Bearer',
      METRICS_TOKEN,
      `Basic ${METRICS_TOKEN}`,
    ]) {
      const req = guarded.http.get('/metrics');
      const res = await (authorization === undefined ? req : req.set('Authorization', authorization)).expect(401);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'UNAUTHENTICATED',
        message: expect.any(String),
        requestId: res.headers['x-request-id'],
      });
      expect(res.text).not.toContain('http_request_duration_seconds');
    }
  });

  it('leaves /metrics open without METRICS_TOKEN', async () => {
    expect((await open.http.get('/metrics').expect(200)).text).toContain('http_request_duration_seconds');
  });
});
