import { rawExchange } from './support/raw-http';
import { ensureBuilt, freePort, send, ServiceProcess, startService } from './support/service-process';
import { ADMIN, createWorld, TestWorld } from './support/test-app';
import { waitFor } from './support/wait';

/**
 * What the built service (`node dist/main.js`) prints at LOG_LEVEL=trace: never a token,
 * a password or a cookie, wherever the client put them, and one access line per request
 * with the same fields on both HTTP adapters. One process per adapter, side by side.
 */
const ADAPTERS = ['express', 'fastify'] as const;
type Adapter = (typeof ADAPTERS)[number];

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
  const worlds: TestWorld[] = [];
  const services = new Map<Adapter, ServiceProcess>();
  /** The bearer token each adapter's process issued. */
  const tokens = new Map<Adapter, string>();

  const lines = (adapter: Adapter): LogLine[] =>
    services
      .get(adapter)!
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const accessLine = (adapter: Adapter, requestId: string) =>
    lines(adapter).find((line) => line.requestId === requestId && line.msg === 'request completed');

  /** The same requests against each process, each with a request id of its own that names it. */
  const exercise = async (adapter: Adapter) => {
    const { port } = services.get(adapter)!;
    const id = (name: string) => ({ 'X-Request-Id': `${adapter}-${name}` });
    const email = `logs-${adapter}@mall.test`;
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
    const token = (login.body as { accessToken: string }).accessToken;
    tokens.set(adapter, token);
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
    await Promise.all(
      ADAPTERS.map(async (adapter) => {
        const world = await createWorld();
        worlds.push(world);
        const storage: Record<string, string> = world.databaseUrl
          ? { DATABASE_URL: world.databaseUrl, REDIS_KEY_PREFIX: world.keyPrefix }
          : { DATA_DIR: 'memory://' };
        if (world.databaseUrl && world.redisUrl) {
          storage.REDIS_URL = world.redisUrl;
        }
        const service = startService(await freePort(), {
          ...storage,
          HTTP_ADAPTER: adapter,
          LOG_LEVEL: 'trace',
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
          RATE_LIMIT_PER_MINUTE: '0',
          SEED_DEMO: 'false',
        });
        services.set(adapter, service);
        await service.waitForLive();
      }),
    );
    await Promise.all(ADAPTERS.map(exercise));
    // The last answer can arrive before its line does (the child's stdout is a pipe).
    for (const adapter of ADAPTERS) {
      await waitFor(`${adapter}'s last access line`, () => accessLine(adapter, `${adapter}-no-route`), Boolean);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...services.values()].map((service) => service.kill()));
    await Promise.all(worlds.map((world) => world.drop()));
  });

  it.each(ADAPTERS)('on %s holds no token, password or cookie at any level', (adapter) => {
    const output = services.get(adapter)!.output();
    const token = tokens.get(adapter)!;
    expect(token).toEqual(expect.any(String));
    const [, , signature] = token.split('.');
    for (const secret of [PASSWORD, WRONG_PASSWORD, SHORT_PASSWORD, COOKIE, QUERY_SECRET, token, signature]) {
      expect(output).not.toContain(secret);
    }
    // the redacted URLs are still there, so the lines were written
    expect(accessLine(adapter, `${adapter}-me-query`)?.req).toEqual({
      method: 'GET',
      url: '/v1/auth/me?access_token=[redacted]',
    });
  });

  it('writes the same access line on both adapters', () => {
    const requests = ['register', 'register-invalid', 'login-wrong', 'login', 'me', 'me-query', 'list', 'list-again'];
    for (const name of [...requests, 'page', 'page-again', 'missing', 'no-route']) {
      const [express, fastify] = ADAPTERS.map((adapter) => accessLine(adapter, `${adapter}-${name}`));
      expect({ name, express: express && Object.keys(express).sort() }).toEqual({
        name,
        express: fastify && Object.keys(fastify).sort(),
      });
      // what a request was and what it got do not depend on the adapter
      const same = (line?: LogLine) => ({
        name,
        level: line?.level,
        req: line?.req,
        res: line?.res,
        route: line?.route,
        hasUser: line?.userId !== undefined,
      });
      expect(same(express)).toEqual(same(fastify));
    }
    expect(accessLine('express', 'express-me')).toMatchObject({
      req: { method: 'GET', url: '/v1/auth/me' },
      res: { statusCode: 200 },
      route: '/v1/auth/me',
      userId: expect.any(Number),
      responseTime: expect.any(Number),
    });
    for (const adapter of ADAPTERS) {
      const refused = lines(adapter).find((line) => line.msg === 'request refused');
      expect(refused).toMatchObject({ level: 40, statusCode: 400, parserError: expect.any(String) });
      expect(refused?.requestId).toEqual(expect.any(String));
    }
    expect(accessLine('fastify', 'fastify-list')).toMatchObject({
      req: { method: 'GET', url: `/v1/products?pageSize=5&token=[redacted]` },
      route: '/v1/products',
    });
  });
});
