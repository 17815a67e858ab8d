import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { attachAuthUser } from '../common/auth-context/auth-user';
import { httpLogOptions } from './http-log-options';

const options = httpLogOptions('info', false);

/** A pino logger with the app's redaction and serializers, writing into `lines`. */
function capture() {
  const lines: string[] = [];
  const logger = pino(
    { redact: options.redact, serializers: options.serializers },
    { write: (line: string) => lines.push(line) },
  );
  return { logger, lines };
}

const req = (url: string, extra: object = {}) => ({ url, method: 'GET', ...extra }) as unknown as IncomingMessage;
const res = (statusCode: number) => ({ statusCode }) as ServerResponse;

describe('httpLogOptions', () => {
  it('redacts credentials, signatures, passwords and SQL parameters', () => {
    const { logger, lines } = capture();
    const sqlError = Object.assign(new Error('duplicate key'), {
      parameters: ['ada@example.com', '$scrypt$secret-hash'],
    });
    logger.error({ err: sqlError, body: { email: 'ada@example.com', password: 'hunter2-password' } }, 'failed');
    logger.info({ req: { headers: { authorization: 'Bearer tok', cookie: 'sid=1', 'x-signature': 'sha256=ab' } } });
    const text = lines.join('\n');
    for (const secret of ['secret-hash', 'hunter2-password', 'Bearer tok', 'sid=1', 'sha256=ab']) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(lines[0])).toMatchObject({ err: { parameters: '[redacted]' }, body: { password: '[redacted]' } });
  });

  it('adds the route template and the user to the completion line', () => {
    const routed = req('/v1/orders/7', { baseUrl: '', route: { path: '/v1/orders/:id' } });
    attachAuthUser(routed, { id: 42, role: 'customer', jti: 'j', exp: 0 });
    expect(options.customSuccessObject?.(routed, res(200), { responseTime: 3 })).toEqual({
      responseTime: 3,
      route: '/v1/orders/:id',
      userId: 42,
    });
    const anonymous = options.customErrorObject?.(req('/nope'), res(500), new Error('x'), { responseTime: 1 });
    expect(anonymous).toEqual({ responseTime: 1, route: undefined, userId: undefined });
  });

  it.each([
    ['/v1/products', 200, 'info'],
    ['/v1/products', 404, 'warn'],
    ['/v1/products', 500, 'error'],
    ['/health/live', 200, 'debug'],
    ['/health/ready', 503, 'warn'],
    ['/metrics', 200, 'debug'],
  ])('logs %s answering %i at %s', (url, status, level) => {
    expect(options.customLogLevel?.(req(url), res(status), undefined)).toBe(level);
  });

  it('adds trace ids only when tracing is on', () => {
    expect(options.mixin).toBeUndefined();
    expect(httpLogOptions('info', true).mixin).toEqual(expect.any(Function));
  });
});
