import { PasswordHasher } from '../src/auth/password-hasher.service';
import { closeSuite, openSuite, type Suite } from './support/test-app';
import { awayFromMinuteEdge } from './support/wait';

/**
 * Login and registration cannot be used to starve everyone: a per-client budget
 * (`AUTH_RATE_LIMIT_PER_MINUTE`) and bounded, per-client-fair password hashing. The
 * service trusts the test's loopback address as a proxy, so `X-Forwarded-For` names
 * each simulated client.
 */
describe('Auth flood', () => {
  const AUTH_LIMIT = 4;
  let suite: Suite;

  beforeAll(async () => {
    suite = await openSuite({ TRUST_PROXY: 'loopback', AUTH_RATE_LIMIT_PER_MINUTE: String(AUTH_LIMIT) });
  });
  afterAll(() => closeSuite(suite));

  const login = (client: string, email: string, password: string) =>
    suite.t.http.post('/v1/auth/login').set('X-Forwarded-For', client).send({ email, password });
  let accounts = 0;
  /** A fresh account, registered from a client of its own (so no other budget is touched). */
  async function newAccount(): Promise<{ email: string; password: string }> {
    const email = `account-${++accounts}@mall.test`;
    await register(`192.0.2.${accounts}`, email).expect(201);
    return { email, password: 'long-enough-1' };
  }
  const register = (client: string, email: string) =>
    suite.t.http.post('/v1/auth/register').set('X-Forwarded-For', client).send({ email, password: 'long-enough-1' });

  describe('AUTH_RATE_LIMIT_PER_MINUTE', () => {
    it('gives login and register one budget per client, and answers 429 with Retry-After and RateLimit-* past it', async () => {
      await awayFromMinuteEdge();
      const client = '203.0.113.10';
      const answers = [
        await register(client, 'flood-1@mall.test'),
        await login(client, 'flood-1@mall.test', 'long-enough-1'),
        await login(client, 'flood-1@mall.test', 'wrong-password'),
        await register(client, 'flood-2@mall.test'),
      ];
      expect(answers.map((res) => res.status)).toEqual([201, 200, 401, 201]);
      expect(answers.map((res) => res.headers['ratelimit-remaining'])).toEqual(['3', '2', '1', '0']);
      expect(answers[0].headers['ratelimit-limit']).toBe(String(AUTH_LIMIT));

      for (const refused of [
        await login(client, 'flood-1@mall.test', 'long-enough-1'),
        await register(client, 'flood-3@mall.test'),
      ]) {
        expect(refused.status).toBe(429);
        expect(refused.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect(refused.headers['ratelimit-limit']).toBe(String(AUTH_LIMIT));
        expect(refused.headers['ratelimit-remaining']).toBe('0');
        expect(Number(refused.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
      }
      // other clients keep their own budget, and the rest of the API is not touched
      await login('203.0.113.11', 'flood-1@mall.test', 'long-enough-1').expect(200);
      await suite.t.http.get('/v1/products').set('X-Forwarded-For', client).expect(200);
    });
  });

  describe('password hashing', () => {
    let hasher: PasswordHasher;
    /** Jobs holding the hashing slots until the test lets them go. */
    let releaseHeld: () => void;
    let held: Promise<unknown>[];

    beforeEach(() => {
      hasher = suite.t.app.get(PasswordHasher);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      releaseHeld = release;
      held = Array.from({ length: hasher.queue.limits.concurrency }, () => hasher.queue.run('holder', () => gate));
    });
    afterEach(async () => {
      releaseHeld();
      await Promise.allSettled(held);
    });

    /** Fills `client`'s waiting room (or `count` places of it) with jobs that end when the holders do. */
    function occupyWaiting(client: string, count: number): void {
      for (let i = 0; i < count; i++) {
        held.push(hasher.queue.run(client, () => Promise.resolve()));
      }
    }

    it('answers 503 SERVICE_BUSY with Retry-After at once when the client’s waiting room is full', async () => {
      const user = await withoutHolders(newAccount);
      const flooder = '198.51.100.20';
      occupyWaiting(flooder, hasher.queue.limits.perClientWaiting);
      // answered while every hashing slot is still held: it did not wait for one
      const busy = await login(flooder, user.email, user.password).expect(503);
      expect(busy.body).toMatchObject({ statusCode: 503, code: 'SERVICE_BUSY' });
      expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
      expect(hasher.queue.size.running).toBe(hasher.queue.limits.concurrency);

      // another client's login waits its turn instead, and succeeds once the slots free up
      const innocent = login('198.51.100.21', user.email, user.password);
      const answered = innocent.then((res) => res.status);
      releaseHeld();
      expect(await answered).toBe(200);
    });

    it('answers 503 at once for everyone when the whole waiting room is full', async () => {
      const user = await withoutHolders(newAccount);
      const { totalWaiting, perClientWaiting } = hasher.queue.limits;
      for (let filled = 0, n = 0; filled < totalWaiting; n++) {
        const count = Math.min(perClientWaiting, totalWaiting - filled);
        occupyWaiting(`filler-${n}`, count);
        filled += count;
      }
      const busy = await login('198.51.100.30', user.email, user.password).expect(503);
      expect(busy.body.code).toBe('SERVICE_BUSY');
      const registering = await register('198.51.100.31', 'busy-register@mall.test').expect(503);
      expect(registering.body.code).toBe('SERVICE_BUSY');
    });

    /** Runs `work` with the hashing slots free (the holders of this test are taken back first). */
    async function withoutHolders<T>(work: () => Promise<T>): Promise<T> {
      releaseHeld();
      await Promise.allSettled(held);
      try {
        return await work();
      } finally {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        releaseHeld = release;
        held = Array.from({ length: hasher.queue.limits.concurrency }, () => hasher.queue.run('holder', () => gate));
      }
    }
  });
});
