import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import type { CacheService } from './cache.service';
import { MAX_BODY_BYTES, MAX_BYTES, MAX_OFFERED_BYTES, ResponseCache } from './response-cache';

/** What L1 holds now, per namespace/id: the fake behind `peekJson`. */
const l1 = new Map<string, string>();
const cache = { peekJson: (namespace: string, id: string) => l1.get(`${namespace}/${id}`) } as unknown as CacheService;
// The limit off (RATE_LIMIT_PER_MINUTE=0): the rate-limited hit is test/response-cache.e2e-spec.ts's.
const limiter = { enabled: () => false, admit: () => Promise.resolve(undefined) } as unknown as RateLimiter;

const request = (url: string, headers: Record<string, string> = {}) =>
  ({ method: 'GET', url, headers }) as unknown as IncomingMessage;

/** A response that records what was written, and finishes with `status` when told. */
class FakeResponse extends EventEmitter {
  statusCode = 200;
  readonly headers = new Map<string, unknown>([['content-type', 'application/json; charset=utf-8']]);
  body: string | undefined;
  getHeaders() {
    return Object.fromEntries(this.headers);
  }
  getHeader(name: string) {
    return this.headers.get(name.toLowerCase());
  }
  setHeader(name: string, value: unknown) {
    this.headers.set(name.toLowerCase(), value);
  }
  removeHeader(name: string) {
    this.headers.delete(name.toLowerCase());
  }
  end(body: string) {
    this.body = body;
  }
}

/** The pipeline answering `url` with `json` (the body L1 holds under product/<id>), and so offering it, `times` times. */
function answer(responses: ResponseCache, url: string, id: string, json: string, status = 200, times = 2) {
  l1.set(`product/${id}`, json);
  for (let i = 0; i < times; i++) {
    const res = new FakeResponse();
    res.statusCode = status;
    responses.offer(request(url), res as unknown as ServerResponse, { namespace: 'product', id, json });
    res.emit('finish');
  }
}

/** Asks the cache for `url`: the body it wrote, or 'next' when it handed the request on. */
async function ask(responses: ResponseCache, req: IncomingMessage): Promise<string> {
  const res = new FakeResponse();
  return new Promise((resolve) => {
    responses.handle(req, res as unknown as ServerResponse, () => resolve('next'));
    setImmediate(() => resolve(res.body ?? 'next'));
  });
}

describe('ResponseCache', () => {
  beforeEach(() => l1.clear());

  it('repeats a stored 200 while L1 holds its body, and hands on once L1 has another', async () => {
    const responses = new ResponseCache(cache, limiter);
    answer(responses, '/v1/products/1', '1', '{"id":1,"price":100}');
    expect(await ask(responses, request('/v1/products/1'))).toBe('{"id":1,"price":100}');
    l1.set('product/1', '{"id":1,"price":200}');
    expect(await ask(responses, request('/v1/products/1'))).toBe('next');
    expect(responses.size.entries).toBe(0);
  });

  it('stores nothing but a 200, and answers only anonymous GETs without CORS', async () => {
    const responses = new ResponseCache(cache, limiter);
    answer(responses, '/v1/products/2', '2', '{"id":2}', 404);
    expect(await ask(responses, request('/v1/products/2'))).toBe('next');
    answer(responses, '/v1/products/3', '3', '{"id":3}');
    expect(await ask(responses, request('/v1/products/3', { authorization: 'Bearer x' }))).toBe('next');
    expect(await ask(responses, request('/v1/products/3', { origin: 'https://shop.example' }))).toBe('next');
    expect(await ask(responses, request('/v1/products/03'))).toBe('next');
  });

  it('keeps its body bytes under MAX_BYTES, forgetting the oldest first, and never stores a huge body', () => {
    const responses = new ResponseCache(cache, limiter);
    // Each answer is held with its target: a body just under the bound leaves room for it.
    const page = 'x'.repeat(MAX_BODY_BYTES - 100);
    for (let i = 0; i < 40; i++) {
      answer(responses, `/v1/products?page=${i}`, `list-${i}`, page);
    }
    expect(responses.size.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(responses.size.entries).toBe(MAX_BYTES / MAX_BODY_BYTES);
    answer(responses, '/v1/products?huge', 'huge', 'x'.repeat(MAX_BODY_BYTES));
    expect(responses.size.bytes).toBeLessThanOrEqual(MAX_BYTES);
  });

  it("stores an answer from its target's second offer on, and again at once after it went stale", async () => {
    const responses = new ResponseCache(cache, limiter);
    answer(responses, '/v1/products/7', '7', '{"id":7}', 200, 1);
    expect(responses.size.entries).toBe(0);
    expect(await ask(responses, request('/v1/products/7'))).toBe('next');
    answer(responses, '/v1/products/7', '7', '{"id":7}', 200, 1);
    expect(await ask(responses, request('/v1/products/7'))).toBe('{"id":7}');
    l1.set('product/7', '{"id":7,"price":1}');
    expect(await ask(responses, request('/v1/products/7'))).toBe('next');
    answer(responses, '/v1/products/7', '7', '{"id":7,"price":1}', 200, 1);
    expect(await ask(responses, request('/v1/products/7'))).toBe('{"id":7,"price":1}');
  });

  it("repeats what the pipeline did to the front door's headers: what it set, changed and removed", () => {
    const responses = new ResponseCache(cache, limiter);
    /** A response as the front door hands it on: its own headers only. */
    const fromFrontDoor = (id: string) => {
      const res = new FakeResponse();
      res.headers.clear();
      res.setHeader('X-Request-Id', id);
      res.setHeader('X-Frame-Options', 'SAMEORIGIN');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      return res;
    };
    l1.set('product/9', '{"id":9}');
    let rendered: FakeResponse | undefined;
    for (const id of ['first', 'second']) {
      const req = request('/v1/products/9');
      const res = fromFrontDoor(id);
      responses.handle(req, res as unknown as ServerResponse, () => {
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('X-Frame-Options', 'DENY');
        res.removeHeader('Referrer-Policy');
        responses.offer(req, res as unknown as ServerResponse, { namespace: 'product', id: '9', json: '{"id":9}' });
        res.end('{"id":9}');
        res.emit('finish');
        rendered = res;
      });
    }
    const repeat = fromFrontDoor('third');
    responses.handle(request('/v1/products/9'), repeat as unknown as ServerResponse, () => {
      throw new Error('handed on to the pipeline');
    });
    expect(repeat.body).toBe('{"id":9}');
    const { 'content-length': length, ...headers } = repeat.getHeaders();
    expect(length).toBe(8);
    expect(headers).toEqual({ ...rendered!.getHeaders(), 'x-request-id': 'third' });
  });

  it('counts a body as the heap holds it: one Chinese character makes every character two bytes', () => {
    const responses = new ResponseCache(cache, limiter);
    // 0.6 × MAX_BODY_BYTES in UTF-8, but 1.2 × in the heap: left to the pipeline.
    const wide = 'x'.repeat(MAX_BODY_BYTES * 0.6) + '商';
    answer(responses, '/v1/products?wide', 'wide', wide);
    expect(responses.size).toMatchObject({ entries: 0, bytes: 0 });
    const narrow = 'x'.repeat(MAX_BODY_BYTES * 0.6);
    answer(responses, '/v1/products?narrow', 'narrow', narrow);
    expect(responses.size).toMatchObject({ entries: 1, bytes: '/v1/products?narrow'.length + narrow.length });
  });

  it('counts the targets it keeps: distinct long targets asked once stay within MAX_OFFERED_BYTES', () => {
    const responses = new ResponseCache(cache, limiter);
    const padding = 'a'.repeat(4_000);
    for (let i = 0; i < 2_000; i++) {
      answer(responses, `/v1/products/1?x=${i}${padding}`, '1', '{"id":1}', 200, 1);
    }
    expect(responses.size.offeredBytes).toBeGreaterThan(MAX_OFFERED_BYTES / 2);
    expect(responses.size.offeredBytes).toBeLessThanOrEqual(MAX_OFFERED_BYTES);
    expect(responses.size.offered).toBeLessThan(2_000);
    // The newest are the ones remembered: a second offer of the last target stores it.
    answer(responses, `/v1/products/1?x=1999${padding}`, '1', '{"id":1}', 200, 1);
    expect(responses.size.entries).toBe(1);
  });
});
