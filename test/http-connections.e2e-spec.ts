import net, { type AddressInfo } from 'node:net';
import { rawExchange } from './support/raw-http';
import { closeSuite, openSuite, TestApp, TestWorld } from './support/test-app';

const HEADERS_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1_000;
/** Far beyond either timeout plus Node's one-second check: only a connection held for long gets here. */
const GIVE_UP_MS = 5_000;
const MAX_URL_BYTES = 1_024;

/** Requests refused before any route, each by the parser or the front door. */
const REFUSED: Array<[what: string, head: string, trickle?: (index: number) => string]> = [
  ['garbage (400)', 'NOT HTTP AT ALL\r\n\r\n'],
  ['headers over MAX_HEADER_BYTES (431)', `GET / HTTP/1.1\r\nHost: m\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`],
  ['headers that never finish (408)', 'GET /health/live HTTP/1.1\r\nHost: m\r\n', (index) => `X-Slow-${index}: 1\r\n`],
  [
    'a Content-Length over BODY_LIMIT (413)',
    'POST /v1/auth/login HTTP/1.1\r\nHost: m\r\nContent-Length: 104857600\r\n\r\n',
  ],
  ['a target over MAX_URL_BYTES (414)', `GET /v1/products?x=${'a'.repeat(MAX_URL_BYTES)} HTTP/1.1\r\nHost: m\r\n\r\n`],
  ['HTTP/1.1 without Host (400)', 'GET /health/live HTTP/1.1\r\n\r\n'],
];

/**
 * Connections are not held: bodies over BODY_LIMIT, slow headers and slow bodies end in
 * a contract error and a closed connection; so does every request the HTTP parser or the
 * front door refuses.
 */
describe('HTTP connections', () => {
  let world: TestWorld;
  let t: TestApp;
  let port: number;

  const contractError = (status: number, code: string) => ({
    statusCode: status,
    error: expect.any(String),
    code,
    message: expect.any(String),
    requestId: expect.any(String),
  });

  beforeAll(async () => {
    ({ world, t } = await openSuite({
      BODY_LIMIT: '1kb',
      HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      MAX_URL_BYTES: String(MAX_URL_BYTES),
    }));
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => closeSuite({ world, t }));

  describe('a Content-Length over BODY_LIMIT', () => {
    it.each([
      ['a JSON route', 'POST /v1/auth/register', 'Content-Type: application/json\r\n'],
      ['a route without a body', 'GET /health/live', ''],
      ['no route at all', 'PUT /nowhere', 'Content-Type: application/octet-stream\r\n'],
    ])('on %s answers 413 before the body is sent, and closes the connection', async (_what, line, type) => {
      // The body is never sent: the answer and the close can only come from the headers.
      const res = await rawExchange(
        port,
        `${line} HTTP/1.1\r\nHost: mall.test\r\n${type}Content-Length: 104857600\r\n\r\n`,
        { giveUpMs: GIVE_UP_MS },
      );
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual(contractError(413, 'PAYLOAD_TOO_LARGE'));
      expect((res.body as { requestId: string }).requestId).toBe(res.headers['x-request-id']);
      expect(res.closed).toBe(true);
    });
  });

  describe('a chunked body over BODY_LIMIT', () => {
    /** A 512-byte chunk every 10 ms, without end: only the server can end the exchange. */
    const endless = (line: string, type: string) =>
      rawExchange(port, `${line} HTTP/1.1\r\nHost: mall.test\r\n${type}Transfer-Encoding: chunked\r\n\r\n`, {
        trickle: () => `200\r\n${' '.repeat(512)}\r\n`,
        trickleEveryMs: 10,
        giveUpMs: GIVE_UP_MS,
      });
    const answers = (text: string) => text.match(/^HTTP\/1\.1 \d+/gm) ?? [];

    it.each([
      ['a JSON route', 'POST /v1/auth/register', 'Content-Type: application/json\r\n'],
      ['a form route', 'POST /login', 'Content-Type: application/x-www-form-urlencoded\r\n'],
    ])('on %s answers 413 once the limit is passed, and closes the connection', async (_what, line, type) => {
      const res = await endless(line, type);
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual(contractError(413, 'PAYLOAD_TOO_LARGE'));
      expect((res.body as { requestId: string }).requestId).toBe(res.headers['x-request-id']);
      expect(res.closed).toBe(true);
      expect(answers(res.text)).toEqual(['HTTP/1.1 413']);
    });

    it.each([
      ['a route without a body', 'GET /health/live', ''],
      ['no route at all', 'PUT /nowhere', 'Content-Type: application/octet-stream\r\n'],
    ])('on %s closes the connection after the answer rather than read the rest', async (_what, line, type) => {
      const res = await endless(line, type);
      // answered before the limit was reached: the body is refused for its type
      expect(res.status).toBe(415);
      expect(res.body).toEqual(contractError(415, 'UNSUPPORTED_MEDIA_TYPE'));
      expect(res.closed).toBe(true);
      // the one answer: not a 408 later, when the endless body ran into REQUEST_TIMEOUT_MS
      expect(answers(res.text)).toEqual(['HTTP/1.1 415']);
    });
  });

  describe('Expect', () => {
    it('answers 413 to Expect: 100-continue with a Content-Length over BODY_LIMIT, without inviting the body', async () => {
      const res = await rawExchange(
        port,
        'POST /v1/auth/login HTTP/1.1\r\nHost: mall.test\r\nContent-Type: application/json\r\n' +
          'Expect: 100-continue\r\nContent-Length: 104857600\r\n\r\n',
        { giveUpMs: GIVE_UP_MS },
      );
      expect(res.text).not.toContain('100 Continue');
      expect(res.status).toBe(413);
      expect(res.body).toEqual(contractError(413, 'PAYLOAD_TOO_LARGE'));
      expect(res.closed).toBe(true);
    });

    it('invites a body within the limit, and answers it', async () => {
      const body = JSON.stringify({ email: 'nobody@mall.test', password: 'not-the-password' });
      const head =
        'POST /v1/auth/login HTTP/1.1\r\nHost: mall.test\r\nContent-Type: application/json\r\n' +
        `Expect: 100-continue\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      let sent = false;
      const res = await rawExchange(port, head, {
        trickle: () => (sent ? '' : ((sent = true), body)),
        trickleEveryMs: 50,
      });
      expect(res.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
      expect(res.text).toContain('"code":"INVALID_CREDENTIALS"');
    });

    it('answers another expectation with 417 EXPECTATION_FAILED in the contract body', async () => {
      const res = await rawExchange(port, 'GET /health/live HTTP/1.1\r\nHost: mall.test\r\nExpect: teapot\r\n\r\n');
      expect(res.status).toBe(417);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual(contractError(417, 'EXPECTATION_FAILED'));
    });
  });

  describe('timeouts', () => {
    it('answers headers that never finish with 408 and closes, well before Node would check (30 s)', async () => {
      const res = await rawExchange(port, 'GET /health/live HTTP/1.1\r\nHost: mall.test\r\n', {
        trickle: (index) => `X-Slow-${index}: 1\r\n`,
        giveUpMs: GIVE_UP_MS,
      });
      expect(res.closed).toBe(true);
      expect(res.status).toBe(408);
      expect(res.body).toEqual(contractError(408, 'REQUEST_TIMEOUT'));
    });

    it('answers a body that never finishes with 408 and closes', async () => {
      const head =
        'POST /v1/auth/login HTTP/1.1\r\nHost: mall.test\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{';
      const res = await rawExchange(port, head, { trickle: () => ' ', giveUpMs: GIVE_UP_MS });
      expect(res.closed).toBe(true);
      expect(res.status).toBe(408);
      expect(res.body).toEqual(contractError(408, 'REQUEST_TIMEOUT'));
    });
  });

  describe('requests refused before any route', () => {
    it('answers HTTP/1.1 without Host with 400 HOST_REQUIRED in the contract body', async () => {
      const res = await rawExchange(port, 'GET /health/live HTTP/1.1\r\n\r\n');
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual(contractError(400, 'HOST_REQUIRED'));
      expect(res.closed).toBe(true);
      // HTTP/1.0 has no Host requirement
      const old = await rawExchange(port, 'GET /health/live HTTP/1.0\r\n\r\n');
      expect(old.status).toBe(200);
    });

    it.each([
      ['garbage', 'NOT HTTP AT ALL\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      [
        'a bad Content-Length',
        'POST /v1/auth/login HTTP/1.1\r\nHost: m\r\nContent-Length: 1e3\r\n\r\n',
        400,
        'MALFORMED_REQUEST',
      ],
      [
        'headers over MAX_HEADER_BYTES',
        `GET / HTTP/1.1\r\nHost: m\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`,
        431,
        'HEADERS_TOO_LARGE',
      ],
    ])('answers %s with the contract body', async (_what, head, status, code) => {
      const res = await rawExchange(port, head);
      expect(res.status).toBe(status);
      expect(res.body).toEqual(contractError(status, code));
      expect(res.closed).toBe(true);
    });

    it('answers a request target over MAX_URL_BYTES with 414 URI_TOO_LONG, and one at the limit as usual', async () => {
      const long = await rawExchange(
        port,
        `GET /v1/products/1?x=${'a'.repeat(MAX_URL_BYTES)} HTTP/1.1\r\nHost: m\r\n\r\n`,
      );
      expect(long.status).toBe(414);
      expect(long.body).toEqual(contractError(414, 'URI_TOO_LONG'));
      expect(long.closed).toBe(true);
      const path = '/v1/products/999999?x=';
      const atLimit = await t.http.get(path + 'a'.repeat(MAX_URL_BYTES - path.length));
      expect(atLimit.status).not.toBe(414); // the pipeline's answer, whatever it is
    });

    // A client that never reads nor closes must not keep the server's side of the
    // connection (half-closed, it would wait for the client's FIN forever).
    it.each(REFUSED.map(([what, head, trickle]) => ({ what, head, trickle })))(
      'after refusing $what, closes its side within a second though the client never reads',
      async ({ head, trickle }) => {
        const server = t.app.getHttpServer() as import('node:http').Server;
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.pause(); // never reads, never ends
        await new Promise((done) => socket.once('connect', done));
        socket.write(head);
        const timer = trickle ? setInterval(() => socket.writable && socket.write(trickle(0)), 100) : undefined;
        try {
          const deadline = Date.now() + REQUEST_TIMEOUT_MS + 3_000;
          let open = 1;
          while (Date.now() < deadline) {
            open = await new Promise<number>((done) => server.getConnections((_error, count) => done(count)));
            if (open === 0) {
              break;
            }
            await new Promise((done) => setTimeout(done, 100));
          }
          expect(open).toBe(0);
        } finally {
          clearInterval(timer);
          socket.destroy();
        }
      },
    );
  });
});
