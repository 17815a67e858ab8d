import { createWorld, startApp, type TestApp, type TestWorld } from './support/test-app';
import { awayFromMinuteEdge } from './support/wait';

/**
 * Who the client is, for the rate limits, decided by `TRUST_PROXY` alone. The test's
 * requests come from 127.0.0.1: an untrusted peer with
 * `TRUST_PROXY` unset, a trusted proxy with `TRUST_PROXY=loopback`.
 */
describe('Client address', () => {
  const LIMIT = 3;
  let world: TestWorld;
  let untrusted: TestApp;
  let behindProxy: TestApp;

  beforeAll(async () => {
    world = await createWorld();
    const env = { RATE_LIMIT_PER_MINUTE: String(LIMIT) };
    untrusted = await startApp(world, { ...env, TRUST_PROXY: undefined });
    behindProxy = await startApp(world, { ...env, TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await untrusted?.close();
    await behindProxy?.close();
    await world?.drop();
  });

  const from = (app: TestApp, forwardedFor: string) =>
    app.http.get('/v1/products').set('X-Forwarded-For', forwardedFor);

  it('counts every spoofed X-Forwarded-For from an untrusted peer against the peer’s one budget', async () => {
    await awayFromMinuteEdge();
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      statuses.push((await from(untrusted, `198.51.100.${i + 1}`)).status);
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
    const refused = await from(untrusted, '198.51.100.200').expect(429);
    expect(refused.body.code).toBe('RATE_LIMITED');
  });

  it('gives each client behind a trusted proxy its own budget, by its forwarded address', async () => {
    await awayFromMinuteEdge();
    for (let i = 0; i < LIMIT; i++) {
      await from(behindProxy, '203.0.113.7').expect(200);
    }
    expect((await from(behindProxy, '203.0.113.7').expect(429)).body.code).toBe('RATE_LIMITED');
    // a client cannot escape by putting an address of its choice in front: the proxy appended the real one
    await from(behindProxy, '192.0.2.99, 203.0.113.7').expect(429);
    await from(behindProxy, '203.0.113.8').expect(200);
  });
});
