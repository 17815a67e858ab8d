import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { accessLogLevel } from './access-log';
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

const req = (url: string) => ({ url, method: 'GET' }) as unknown as IncomingMessage;
const res = (statusCode: number) => ({ statusCode }) as ServerResponse;

describe('httpLogOptions', () => {
  it('redacts credentials, signatures, passwords and SQL parameters', () => {
    const { logger, lines } = capture();
    const sqlError = Object.assign(new Error('duplicate key'), {
      parameters: ['ada@example.com', '$scrypt$secret-hash'],
    });
    logger.error({ err: sqlError, body: { email: 'ada@example.com', password: 'hunter2-password' } }, 'failed');
    logger.info({ req: { headers: { authorization: 'Bearer tok', cookie: 'sid=1', 'x-signature': 'sha256=ab' } } });
    logger.warn({ input: { currentPassword: 'old-secret-1', newPassword: 'new-secret-1' } });
    const text = lines.join('\n');
    for (const secret of [
      'secret-hash',
      'hunter2-password',
      'Bearer tok',
      'sid=1',
      'sha256=ab',
      'old-secret',
      'new-secret',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(lines[0])).toMatchObject({ err: { parameters: '[redacted]' }, body: { password: '[redacted]' } });
  });

  it('logs a request as its method and its URL with secrets redacted, nothing else', () => {
    const { logger, lines } = capture();
    logger.info({ req: { method: 'GET', url: '/v1/products?access_token=eyJ.secret&page=2', headers: { a: 1 } } });
    expect(JSON.parse(lines[0]).req).toEqual({ method: 'GET', url: '/v1/products?access_token=[redacted]&page=2' });
  });

  it.each([
    ['/v1/products', 200, 'info'],
    ['/v1/products', 404, 'warn'],
    ['/v1/products', 500, 'error'],
    ['/health/live', 200, 'debug'],
    ['/health/ready', 503, 'warn'],
    ['/metrics', 200, 'debug'],
    ['/metrics?x=1', 200, 'debug'],
  ])('logs %s answering %i at %s', (url, status, level) => {
    expect(accessLogLevel(req(url), res(status))).toBe(level);
  });

  it('adds trace ids only when tracing is on', () => {
    expect(options.mixin).toBeUndefined();
    expect(httpLogOptions('info', true).mixin).toEqual(expect.any(Function));
  });
});
