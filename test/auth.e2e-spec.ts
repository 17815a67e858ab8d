import type Redis from 'ioredis';
import { REDIS } from '../src/redis/redis.constants';
import { ADMIN, bearer, closeSuite, newCustomer, openSuite, startApp, TestApp, TestWorld } from './support/test-app';

describe('Auth', () => {
  let world: TestWorld;
  let t: TestApp;

  beforeAll(async () => ({ world, t } = await openSuite({ LOGIN_MAX_FAILURES: '3', JWT_TTL: '3600' })));
  afterAll(() => closeSuite({ world, t }));

  it('registers a customer, normalising the email', async () => {
    const res = await t.http
      .post('/v1/auth/register')
      .send({ email: '  Grace@Example.COM ', password: 'long-enough-1', name: 'Grace' })
      .expect(201)
      .expect('Content-Type', 'application/json; charset=utf-8');
    expect(res.body).toEqual({ id: expect.any(Number), email: 'grace@example.com', name: 'Grace', role: 'customer' });
    expect(res.body).not.toHaveProperty('password');
    expect(res.body).not.toHaveProperty('passwordHash');
  });

  it('refuses a duplicate email whatever its case with 409 EMAIL_TAKEN', async () => {
    await t.http.post('/v1/auth/register').send({ email: 'dup@example.com', password: 'long-enough-1' }).expect(201);
    const res = await t.http
      .post('/v1/auth/register')
      .send({ email: 'DUP@example.com', password: 'long-enough-2' })
      .expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'EMAIL_TAKEN' });
  });

  it.each([
    [{ email: 'not-an-email', password: 'long-enough-1' }, 'email'],
    [{ email: 'a@b.co', password: 'short' }, 'password'],
    [{ email: 'a@b.co', password: 'x'.repeat(129) }, 'password'],
    [{ email: 'a@b.co', password: 'long-enough-1', name: 'n'.repeat(101) }, 'name'],
    [{ email: 'a@b.co', password: 'long-enough-1', role: 'admin' }, 'role'],
  ])('answers 400 VALIDATION_FAILED naming the field for %j', async (body, field) => {
    const res = await t.http.post('/v1/auth/register').send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('stores only a salted scrypt hash of the password', async () => {
    await t.http.post('/v1/auth/register').send({ email: 'hash@example.com', password: 'long-enough-1' }).expect(201);
    const [row] = await t.dataSource.query(`SELECT password_hash FROM users WHERE email = 'hash@example.com'`);
    expect(row.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[^$]+\$[^$]+$/);
    expect(row.password_hash).not.toContain('long-enough-1');
  });

  it('logs in with an HS256 token carrying sub, role, jti, iat and exp', async () => {
    const user = await newCustomer(t.http);
    const res = await t.http.post('/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 3600 });
    const [header, payload] = (res.body.accessToken as string)
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(payload).toEqual({
      sub: String(user.id),
      role: 'customer',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it('answers unknown email and wrong password alike with 401 INVALID_CREDENTIALS', async () => {
    const user = await newCustomer(t.http);
    const wrong = await t.http
      .post('/v1/auth/login')
      .send({ email: user.email, password: 'wrong-password' })
      .expect(401);
    const unknown = await t.http
      .post('/v1/auth/login')
      .send({ email: 'nobody@example.com', password: 'wrong-password' })
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('returns the caller from /me and refuses a missing or forged token', async () => {
    const user = await newCustomer(t.http);
    const me = await t.http.get('/v1/auth/me').set('Authorization', user.auth).expect(200);
    expect(me.body).toEqual({ id: user.id, email: user.email, name: 'Test User', role: 'customer' });

    const missing = await t.http.get('/v1/auth/me').expect(401);
    expect(missing.body.code).toBe('UNAUTHENTICATED');
    const forged = user.auth.slice(0, -4) + 'AAAA';
    await t.http.get('/v1/auth/me').set('Authorization', forged).expect(401);
    await t.http.get('/v1/auth/me').set('Authorization', 'Basic abc').expect(401);
  });

  it('revokes the token on logout, and only that token', async () => {
    const user = await newCustomer(t.http);
    const other = await bearer(t.http, user.email, user.password);
    await t.http.post('/v1/auth/logout').set('Authorization', user.auth).expect(204);
    const res = await t.http.get('/v1/auth/me').set('Authorization', user.auth).expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
    expect(res.body.message).toMatch(/revoked/);
    await t.http.get('/v1/auth/me').set('Authorization', other).expect(200);
  });

  it('keeps the revocation in Redis for the rest of the token life', async () => {
    const user = await newCustomer(t.http);
    const jti = JSON.parse(Buffer.from(user.auth.split('.')[1], 'base64url').toString()).jti as string;
    await t.http.post('/v1/auth/logout').set('Authorization', user.auth).expect(204);
    const redis = t.app.get<Redis>(REDIS);
    const ttl = await redis.pttl(`auth:revoked:${jti}`);
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('creates the configured admin once, with the admin role', async () => {
    const auth = await bearer(t.http, ADMIN.email, ADMIN.password);
    const me = await t.http.get('/v1/auth/me').set('Authorization', auth).expect(200);
    expect(me.body.role).toBe('admin');
    const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM users WHERE email = $1`, [
      ADMIN.email,
    ]);
    expect(count).toBe(1);
  });

  it('does not duplicate the admin when the service restarts', async () => {
    if (!world.databaseUrl) {
      return; // the embedded in-memory database does not outlive its app
    }
    const again = await startApp(world, {});
    try {
      const [{ count }] = await again.dataSource.query(`SELECT count(*)::int AS count FROM users WHERE role = 'admin'`);
      expect(count).toBe(1);
    } finally {
      await again.close();
    }
  });

  it('locks an email out with 429 after LOGIN_MAX_FAILURES failed logins', async () => {
    const user = await newCustomer(t.http);
    for (let i = 0; i < 3; i++) {
      await t.http.post('/v1/auth/login').send({ email: user.email, password: 'wrong-password' }).expect(401);
    }
    const locked = await t.http.post('/v1/auth/login').send({ email: user.email, password: user.password }).expect(429);
    expect(locked.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(900);
    // another email is not affected
    const other = await newCustomer(t.http);
    await t.http.post('/v1/auth/login').send({ email: other.email, password: other.password }).expect(200);
  });
});
