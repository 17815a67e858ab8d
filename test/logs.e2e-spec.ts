import { rawExchange } from './support/raw-http';
import { ensureBuilt, freePort, send, ServiceProcess, startService } from './support/service-process';
import { ADMIN, createWorld, TestWorld } from './support/test-app';
import { waitFor } from './support/wait';

/**
 * What the built service (`node dist/main.js`) prints at LOG_LEVEL=trace: never a token,
 * a password or a cookie, wherever the client put them, and one access line per request.
 */
const PASSWORD = 'Never-Logged-Password-1';
const WRONG_PASSWORD = 'Never-Logged-Wrong-Password-2';
const SHORT_PASSWORD = 'Nl-3';
const COOKIE = 'sid=never-logged-cookie';
const QUERY_SECRET = 'never-logged-query-token';

interface LogLine {
  requestId?: string;
  msg?: string;
  req?: Record<string, unknown>;
  res?: Record<string, unknown>;
  [field: string]: unknown;
}

describe('Logs of the built service', () => {
  let world: TestWorld | undefined;
  let service: ServiceProcess | undefined;
  /** The bearer token the process issued. */
  let token: string | undefined;

  const lines = (): LogLine[] =>
    service!
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const accessLine = (requestId: string) =>
    lines().find((line) => line.requestId === requestId && line.msg === 'request completed');

  /** The requests, each with a request id that names it. */
  const exercise = async () => {
    const { port } = service!;
    const id = (name: string) => ({ 'X-Request-Id': name });
    const email = 'logs@mall.test';
    await send(port, 'POST', '/v1/auth/register', { body: { email, password: PASSWORD }, headers: id('register') });
    await send(port, 'POST', '/v1/auth/register', {
      body: { email: `short-${email}`, password: SHORT_PASSWORD },
      headers: id('register-invalid'),
    });
    await send(port, 'POST', '/v1/auth/login', {
      body: { email, password: WRONG_PASSWORD },
      headers: id('login-wrong'),
    });
    const login = await send(port, 'POST', '/v1/auth/login', {
      body: { email, password: PASSWORD },
      headers: id('login'),
    });
    token = (login.body as { accessToken: string }).accessToken;
    await send(port, 'GET', '/v1/auth/me', {
      headers: { ...id('me'), Authorization: `Bearer ${token}`, Cookie: COOKIE },
    });
    await send(port, 'GET', `/v1/auth/me?access_token=${token}`, { headers: id('me-query') });
    for (const name of ['list', 'list-again']) {
      await send(port, 'GET', `/v1/products?pageSize=5&token=${QUERY_SECRET}`, { headers: id(name) });
    }
    // the repeat is answered before the framework (src/cache/response-cache.ts)
    for (const name of ['page', 'page-again']) {
      await send(port, 'GET', '/v1/products?pageSize=3', { headers: id(name) });
    }
    await send(port, 'GET', '/v1/products/987654', { headers: id('missing') });
    // never parsed, so no access line: a line of its own
    await rawExchange(port, 'NOT HTTP\r\n\r\n');
    await send(port, 'GET', '/v1/nowhere', { headers: id('no-route') });
  };

  beforeAll(async () => {
    ensureBuilt();
    world = await createWorld();
    const storage: Record<string, string> = world.databaseUrl
      ? { DATABASE_URL: world.databaseUrl, REDIS_KEY_PREFIX: world.keyPrefix }
      : { DATA_DIR: 'memory://' };
    if (world.databaseUrl && world.redisUrl) {
      storage.REDIS_URL = world.redisUrl;
    }
    service = startService(await freePort(), {
      ...storage,
      LOG_LEVEL: 'trace',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_PER_MINUTE: '0',
      SEED_DEMO: 'false',
    });
    await service.waitForLive();
    await exercise();
    // The last answer can arrive before its line does (the child's stdout is a pipe).
    await waitFor('the last access line', () => accessLine('no-route'), Boolean);
  }, 180_000);

  afterAll(async () => {
    await service?.kill();
    await world?.drop();
  });

  it('holds no token, password or cookie at any level', () => {
    const output = service!.output();
    expect(token).toEqual(expect.any(String));
    const [, , signature] = token!.split('.');
    for (const secret of [PASSWORD, WRONG_PASSWORD, SHORT_PASSWORD, COOKIE, QUERY_SECRET, token!, signature]) {
      expect(output).not.toContain(secret);
    }
    // the redacted URLs are still there, so the lines were written
    expect(accessLine('me-query')?.req).toEqual({
      method: 'GET',
      url: '/v1/auth/me?access_token=[redacted]',
    });
  });

  it('writes one access line per request, answered by the pipeline or before it', () => {
    const requests = ['register', 'register-invalid', 'login-wrong', 'login', 'me', 'me-query', 'list', 'list-again'];
    for (const name of [...requests, 'page', 'page-again', 'missing', 'no-route']) {
      const line = accessLine(name);
      expect({ name, line }).toEqual({
        name,
        line: expect.objectContaining({
          level: expect.any(Number),
          req: expect.objectContaining({ method: expect.any(String), url: expect.any(String) }),
          res: { statusCode: expect.any(Number) },
          responseTime: expect.any(Number),
        }),
      });
      expect(lines().filter((other) => other.requestId === name && other.msg === 'request completed')).toHaveLength(1);
    }
    expect(accessLine('me')).toMatchObject({
      req: { method: 'GET', url: '/v1/auth/me' },
      res: { statusCode: 200 },
      route: '/v1/auth/me',
      userId: expect.any(Number),
      responseTime: expect.any(Number),
    });
    // a repeat answered before the framework is logged like the first answer
    expect(accessLine('page-again')).toMatchObject({ res: accessLine('page')?.res, route: '/v1/products' });
    const refused = lines().find((line) => line.msg === 'request refused');
    expect(refused).toMatchObject({ level: 40, statusCode: 400, parserError: expect.any(String) });
    expect(refused?.requestId).toEqual(expect.any(String));
    expect(accessLine('list')).toMatchObject({
      req: { method: 'GET', url: `/v1/products?pageSize=5&token=[redacted]` },
      route: '/v1/products',
    });
  });
});
