import { randomBytes, scryptSync } from 'node:crypto';
import { PasswordHasher } from '../src/auth/password-hasher.service';
import { NormaliseEmails1796000300000 } from '../src/database/migrations/1796000300000-normalise-emails';
import { createWorld, newCustomer, startApp, TestApp, TestWorld } from './support/test-app';

/**
 * The login lockout holds under concurrency, on several instances at once, and emails and
 * passwords are compared in their normalised forms. Two instances need the real servers
 * (one Redis between them); on the embedded defaults the same checks run on one instance
 * with the in-process Redis stand-in.
 */
const REAL_SERVERS = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);
const MAX_FAILURES = 5;

/** A stored hash made the way it was before passwords were normalised: of the bytes as typed. */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 64, { N: 32_768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', 32768, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

describe('Login limits', () => {
  let world: TestWorld;
  let instances: TestApp[];
  let a: TestApp;

  beforeAll(async () => {
    world = await createWorld();
    const env = { LOGIN_MAX_FAILURES: String(MAX_FAILURES) };
    a = await startApp(world, env);
    instances = REAL_SERVERS ? [a, await startApp(world, env)] : [a];
  });
  afterAll(async () => {
    for (const instance of instances ?? []) {
      await instance.close();
    }
    await world?.drop();
  });

  /** Counts the passwords each instance checks while `run` runs. */
  async function countingVerifications(run: () => Promise<void>): Promise<number> {
    const spies = instances.map((instance) => jest.spyOn(instance.app.get(PasswordHasher), 'verify'));
    try {
      await run();
      return spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  }

  const login = (instance: TestApp, email: string, password: string) =>
    instance.http.post('/v1/auth/login').send({ email, password });

  it('checks at most LOGIN_MAX_FAILURES of 60 wrong passwords arriving at once, on every instance together', async () => {
    const user = await newCustomer(a.http);
    let statuses: number[] = [];
    const checked = await countingVerifications(async () => {
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) => login(instances[i % instances.length], user.email, `wrong-${i}`)),
      );
      statuses = answers.map((res) => res.status);
    });
    // At most, not exactly: on a loaded machine a reservation may outlast Redis's command
    // timeout, and that login answers 503 rather than check a password it could not count.
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(MAX_FAILURES);
    expect(statuses.filter((status) => status === 401)).toHaveLength(checked);
    expect(statuses.filter((status) => ![401, 429, 503].includes(status))).toEqual([]);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(60 - MAX_FAILURES);

    // the right password is refused too while the lock holds, on every instance, without a check
    const checkedWhileLocked = await countingVerifications(async () => {
      for (const instance of instances) {
        const res = await login(instance, user.email, user.password).expect(429);
        expect(res.body).toMatchObject({ statusCode: 429, code: 'TOO_MANY_LOGIN_ATTEMPTS' });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(800);
        expect(res.headers['ratelimit-limit']).toBe(String(MAX_FAILURES));
        expect(res.headers['ratelimit-remaining']).toBe('0');
      }
    });
    expect(checkedWhileLocked).toBe(0);
  });

  it('does not count a successful login as a failure, nor forgive the failures before it', async () => {
    const user = await newCustomer(a.http);
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      await login(a, user.email, 'wrong-password').expect(401);
    }
    await login(a, user.email, user.password).expect(200);
    await login(a, user.email, user.password).expect(200);
    // one failure left in the window, then the lock
    await login(a, user.email, 'wrong-password').expect(401);
    await login(a, user.email, user.password).expect(429);
  });

  it('locks out an unknown email the same way, so the lock tells nothing', async () => {
    const email = `nobody-${randomBytes(3).toString('hex')}@mall.test`;
    for (let i = 0; i < MAX_FAILURES; i++) {
      await login(a, email, 'wrong-password').expect(401);
    }
    expect((await login(a, email, 'wrong-password').expect(429)).body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
  });

  describe('emails in their normalised form', () => {
    const password = 'long-enough-1';

    it('stores, finds and keeps unique an email whatever its case and Unicode composition', async () => {
      const decomposedUpper = 'JOSE\u0301-NORM@EXAMPLE.COM';
      const composed = 'jos\u00e9-norm@example.com';
      const res = await a.http.post('/v1/auth/register').send({ email: decomposedUpper, password }).expect(201);
      expect(res.body.email).toBe(composed);
      await a.http.post('/v1/auth/register').send({ email: composed, password }).expect(409);
      await a.http.post('/v1/auth/register').send({ email: 'Jos\u00c9-Norm@Example.com', password }).expect(409);
      await login(a, 'Jose\u0301-norm@example.com', password).expect(200);
      await login(a, ` ${composed.toUpperCase()} `, password).expect(200);
    });

    it('folds case fully: ß is ss', async () => {
      await a.http.post('/v1/auth/register').send({ email: 'strasse-fold@example.com', password }).expect(201);
      const res = await a.http
        .post('/v1/auth/register')
        .send({ email: 'STRAßE-fold@example.com', password })
        .expect(409);
      expect(res.body.code).toBe('EMAIL_TAKEN');
      await login(a, 'Straße-Fold@example.com', password).expect(200);
    });

    it('locks out one email whatever form the attempts spell it in', async () => {
      const email = 'ren\u00e9e-lock@example.com';
      await a.http.post('/v1/auth/register').send({ email, password }).expect(201);
      const spellings = ['RENE\u0301E-LOCK@EXAMPLE.COM', 'rene\u0301e-lock@example.com', 'Ren\u00e9e-Lock@Example.com'];
      for (let i = 0; i < MAX_FAILURES; i++) {
        await login(a, spellings[i % spellings.length], 'wrong-password').expect(401);
      }
      await login(a, email, password).expect(429);
    });
  });

  describe('passwords in NFC', () => {
    it('accepts a password typed in another Unicode composition than at registration', async () => {
      const email = `nfc-${randomBytes(3).toString('hex')}@mall.test`;
      await a.http.post('/v1/auth/register').send({ email, password: 'p\u00e4ssw\u00f6rd-1' }).expect(201);
      await login(a, email, 'pa\u0308sswo\u0308rd-1').expect(200);
      await login(a, email, 'p\u00e4ssw\u00f6rd-1').expect(200);
    });

    it('accepts a hash stored from an un-normalised password and rehashes it in NFC on success', async () => {
      const user = await newCustomer(a.http);
      const typed = 'cafe\u0301-secret-1'; // decomposed, as some keyboards send it
      const legacy = legacyHash(typed);
      await a.dataSource.query(`UPDATE users SET password_hash = $1 WHERE id = $2`, [legacy, user.id]);
      // the composed form did not make that hash
      await login(a, user.email, 'caf\u00e9-secret-1').expect(401);
      await login(a, user.email, typed).expect(200);
      const [{ password_hash: rehashed }] = await a.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [
        user.id,
      ]);
      expect(rehashed).not.toBe(legacy);
      // now stored in NFC: both forms log in
      await login(a, user.email, 'caf\u00e9-secret-1').expect(200);
      await login(a, user.email, typed).expect(200);
    });
  });

  describe('the migration of stored emails', () => {
    it('normalises stored emails; of two that collide, one takes the form and the other stays as it was', async () => {
      const tag = randomBytes(3).toString('hex');
      const insert = async (email: string): Promise<number> => {
        const [{ id }] = await a.dataSource.query(
          `INSERT INTO users (email, password_hash, role) VALUES ($1, 'scrypt$x', 'customer') RETURNING id`,
          [email],
        );
        return id as number;
      };
      const mixedCase = await insert(`MiXeD-${tag}@Example.COM`);
      // the one already in the normalised form keeps it, though it is the newer
      const eszett = await insert(`stra\u00dfe-${tag}@example.com`);
      const plain = await insert(`strasse-${tag}@example.com`);
      // neither normalised: the older takes the form
      const decomposed = await insert(`e\u0301\ufb01-${tag}@example.com`);
      const composed = await insert(`\u00e9\ufb01-${tag}@example.com`);

      const runner = a.dataSource.createQueryRunner();
      try {
        // as the migration executor runs it: in a transaction of its own
        await runner.startTransaction();
        await new NormaliseEmails1796000300000().up(runner);
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
      const emailOf = async (id: number) =>
        ((await a.dataSource.query(`SELECT email FROM users WHERE id = $1`, [id])) as Array<{ email: string }>)[0]
          .email;
      expect(await emailOf(mixedCase)).toBe(`mixed-${tag}@example.com`);
      expect(await emailOf(plain)).toBe(`strasse-${tag}@example.com`);
      expect(await emailOf(eszett)).toBe(`stra\u00dfe-${tag}@example.com`);
      expect(await emailOf(decomposed)).toBe(`\u00e9fi-${tag}@example.com`);
      expect(await emailOf(composed)).toBe(`\u00e9\ufb01-${tag}@example.com`);
    });
  });
});
