import { signWebhook } from '../src/orders/webhooks/webhook-signature.guard';
import { createProduct } from './support/catalog';
import { ADMIN, bearer, createWorld, newCustomer, startApp, TestApp, TestWorld } from './support/test-app';

const WEBHOOK_SECRET = 'observability-webhook-secret';
const SHOP = 'https://shop.example.com';

/** The value of one Prometheus sample, e.g. `value(text, 'x_total', { source: 'payments' })`; 0 when absent. */
function value(metrics: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, val]) => `${key}="${val}"`);
  for (const line of metrics.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] === name && wanted.every((pair) => (match[2] ?? '').split(',').includes(pair))) {
      return Number(match[3]);
    }
  }
  return 0;
}

describe('Observability and the HTTP edge', () => {
  let world: TestWorld;
  let t: TestApp;
  let admin: string;

  const scrape = async (app = t) => (await app.http.get('/metrics').expect(200)).text;
  const payment = (body: object) => {
    const raw = JSON.stringify(body);
    return t.http
      .post('/v1/webhooks/payments')
      .set('Content-Type', 'application/json')
      .set('X-Signature', signWebhook(raw, WEBHOOK_SECRET))
      .send(raw);
  };

  beforeAll(async () => {
    world = await createWorld();
    t = await startApp(world, { WEBHOOK_SECRET, CORS_ORIGINS: `${SHOP}, http://localhost:3000` });
    admin = await bearer(t.http, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t?.close();
    await world?.drop();
  });

  describe('/metrics', () => {
    it('counts orders, idempotent replays, stock conflicts and duplicate webhooks', async () => {
      const before = await scrape();
      const product = await createProduct(t, admin, { price: 700, stock: 1 });
      const buyer = await newCustomer(t.http);
      const checkout = (who: { auth: string }, key?: string) => {
        const req = t.http.post('/v1/orders').set('Authorization', who.auth);
        return (key ? req.set('Idempotency-Key', key) : req).send({ items: [{ productId: product.id, quantity: 1 }] });
      };

      const created = await checkout(buyer, 'obs-key-1').expect(201);
      const replayed = await checkout(buyer, 'obs-key-1').expect(201);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body.id).toBe(created.body.id);
      const conflict = await checkout(await newCustomer(t.http)).expect(409);
      expect(conflict.body.code).toBe('INSUFFICIENT_STOCK');
      const event = { eventId: `obs-pay-${created.body.id}`, orderSn: created.body.orderSn, status: 'succeeded' };
      const paid = await payment({ ...event, amount: created.body.total }).expect(200);
      expect(paid.body.status).toBe('paid');
      await payment({ ...event, amount: created.body.total }).expect(200, { duplicate: true });

      const after = await scrape();
      const delta = (name: string, labels?: Record<string, string>) =>
        value(after, name, labels) - value(before, name, labels);
      expect(delta('orders_created_total')).toBe(1);
      expect(delta('idempotency_replays_total')).toBe(1);
      expect(delta('stock_conflicts_total')).toBe(1);
      expect(delta('webhook_duplicates_total', { source: 'payments' })).toBe(1);
      const posted = { method: 'POST', route: '/v1/orders' };
      expect(delta('http_request_duration_seconds_count', { ...posted, status_code: '201' })).toBe(2);
      expect(delta('http_request_duration_seconds_count', { ...posted, status_code: '409' })).toBe(1);
      expect(delta('http_request_duration_seconds_count', { route: '/v1/webhooks/payments', status_code: '200' })).toBe(
        2,
      );
    });

    it('labels a request no route matched as unmatched, not by its path', async () => {
      const unmatched = { route: 'unmatched', status_code: '404' };
      const before = value(await scrape(), 'http_request_duration_seconds_count', unmatched);
      await t.http.get('/v1/no-such-route/123').expect(404);
      const metrics = await scrape();
      expect(value(metrics, 'http_request_duration_seconds_count', unmatched) - before).toBe(1);
      expect(metrics).not.toContain('no-such-route');
      expect(metrics).not.toContain('splat');
    });
  });

  describe('security headers', () => {
    it('puts the resource headers and a deny-all CSP on business routes, and no document-only ones', async () => {
      const res = await t.http.get('/v1/products').expect(200);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'cross-origin-resource-policy': 'same-origin',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      });
      for (const documentOnly of [
        'referrer-policy',
        'cross-origin-opener-policy',
        'origin-agent-cluster',
        'x-dns-prefetch-control',
        'x-download-options',
        'x-permitted-cross-domain-policies',
        'x-xss-protection',
      ]) {
        expect(res.headers[documentOnly]).toBeUndefined();
      }
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-request-id']).toBeDefined();
    });

    it("gives documents helmet's whole set: Swagger UI and the storefront's pages", async () => {
      for (const path of ['/docs', '/']) {
        const page = await t.http.get(path).expect(200);
        expect(page.headers).toMatchObject({
          'referrer-policy': expect.any(String),
          'cross-origin-opener-policy': 'same-origin',
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'SAMEORIGIN',
          'content-security-policy': expect.stringContaining('default-src'),
        });
      }
    });

    it('keeps Swagger UI working under its own CSP', async () => {
      const page = await t.http.get('/docs').expect(200);
      expect(page.text).toContain('swagger-ui');
      const csp = page.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toMatch(/style-src [^;]*'unsafe-inline'/);
      expect(csp).not.toContain('upgrade-insecure-requests');
      // script-src 'self' is enough only while every script is a file of ours, never inline
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const scripts = [...page.text.matchAll(/<script src=['"]?([^'" >]+)/g)].map(([, src]) => src);
      expect(scripts).toEqual(expect.arrayContaining([expect.stringContaining('swagger-ui-init.js')]));
      for (const src of scripts) {
        await t.http.get(new URL(src, 'http://host/docs').pathname).expect(200);
      }
      await t.http.get('/docs-json').expect(200);
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string, app = t) =>
      app.http
        .options('/v1/orders')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');

    it('answers a preflight from an allowed origin', async () => {
      const res = await preflight(SHOP).expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(SHOP);
      expect(res.headers['access-control-allow-methods']).toContain('POST');
      expect(res.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/i);
      expect(res.headers['access-control-max-age']).toBe('600');
    });

    it('does not allow a disallowed origin', async () => {
      const res = await preflight('https://evil.example.com');
      // the grant is Access-Control-Allow-Origin; without it the browser refuses the call
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const simple = await t.http.get('/v1/products').set('Origin', 'https://evil.example.com').expect(200);
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('lets an allowed origin read the request id and rate-limit headers', async () => {
      const res = await t.http.get('/v1/products').set('Origin', 'http://localhost:3000').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      // A list, however it is joined.
      const exposed = String(res.headers['access-control-expose-headers']).split(/\s*,\s*/);
      expect(exposed).toEqual(
        expect.arrayContaining(['X-Request-Id', 'Location', 'Idempotent-Replayed', 'Retry-After', 'RateLimit-Limit']),
      );
    });
  });

  describe('with a low rate limit and CORS_ORIGINS unset', () => {
    let limited: TestApp;

    beforeAll(async () => {
      limited = await startApp(world, { RATE_LIMIT_PER_MINUTE: '2', CORS_ORIGINS: undefined });
    });
    afterAll(async () => {
      await limited?.close();
    });

    it('keeps the 429 Retry-After and RateLimit headers next to helmet', async () => {
      let res;
      // a few more than the limit, in case a minute window turns over in between
      for (let i = 0; i < 8 && res?.status !== 429; i++) {
        res = await limited.http.get('/v1/products');
      }
      expect(res?.status).toBe(429);
      expect(Number(res?.headers['retry-after'])).toBeGreaterThan(0);
      expect(res?.headers['ratelimit-limit']).toBe('2');
      expect(res?.headers['ratelimit-remaining']).toBe('0');
      expect(res?.headers['ratelimit-reset']).toBeDefined();
      expect(res?.headers['x-content-type-options']).toBe('nosniff');
      expect(res?.headers['content-security-policy']).toContain("default-src 'none'");
    });

    it('sends no CORS headers at all', async () => {
      const res = await limited.http.get('/health/live').set('Origin', SHOP).expect(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
