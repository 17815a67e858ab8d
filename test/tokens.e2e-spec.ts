import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock, KNOWN_USER_TTL_MS } from '../src/auth/known-users.service';
import { createProduct } from './support/catalog';
import { closeSuite, newCustomer, openSuite, type Suite } from './support/test-app';

/** Routes that need a token, one of each kind (customer, admin, with and without a body). */
const PROTECTED: Array<[method: 'get' | 'post' | 'patch', path: string, body?: object]> = [
  ['get', '/v1/auth/me'],
  ['post', '/v1/auth/logout'],
  ['get', '/v1/cart'],
  ['post', '/v1/cart/items', { productId: 1, quantity: 1 }],
  ['get', '/v1/orders'],
  ['post', '/v1/orders', {}],
  ['get', '/v1/orders/1'],
  ['patch', '/v1/products/1', { price: 1 }],
];

describe('Tokens mean what they say', () => {
  let suite: Suite;
  let jwt: JwtService;

  beforeAll(async () => {
    suite = await openSuite();
    jwt = suite.t.app.get(JwtService);
    await createProduct(suite.t, suite.admin, { price: 100 });
  });
  afterAll(() => closeSuite(suite));

  const now = () => Math.floor(Date.now() / 1000);
  /** Signed with the service's own secret: every claim right, then `overrides` (undefined leaves a claim out). */
  function tokenFor(userId: number, role: string, overrides: Record<string, unknown> = {}): string {
    const claims: Record<string, unknown> = {
      sub: String(userId),
      role,
      jti: randomUUID(),
      iat: now(),
      exp: now() + 3600,
      ...overrides,
    };
    const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
    return `Bearer ${jwt.sign(payload, { algorithm: 'HS256', noTimestamp: !('iat' in payload) })}`;
  }

  async function expectRefusedEverywhere(authorization: string): Promise<void> {
    for (const [method, path, body] of PROTECTED) {
      const res = await suite.t.http[method](path).set('Authorization', authorization).send(body);
      expect({ route: `${method} ${path}`, status: res.status, code: res.body.code }).toEqual({
        route: `${method} ${path}`,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    }
  }

  it('accepts a well-formed token of an existing user (the control)', async () => {
    const user = await newCustomer(suite.t.http);
    await suite.t.http.get('/v1/cart').set('Authorization', tokenFor(user.id, 'customer')).expect(200);
  });

  it.each([
    ['without exp', { exp: undefined }],
    ['without iat', { iat: undefined }],
    ['without jti', { jti: undefined }],
    ['without sub', { sub: undefined }],
    ['without role', { role: undefined }],
    ['with sub 1e0', { sub: '1e0' }],
    ['with sub " 2"', { sub: ' 2' }],
    ['with sub 0x2', { sub: '0x2' }],
    ['with sub 02', { sub: '02' }],
    ['with a numeric sub', { sub: 'numeric' }],
    ['with iat two minutes in the future', { iat: now() + 120 }],
  ])('refuses a token %s with 401 on every route', async (_label, overrides) => {
    const user = await newCustomer(suite.t.http);
    const claims = 'sub' in overrides && overrides.sub === 'numeric' ? { sub: user.id } : overrides;
    // the admin's id too, for the admin route: the claim, not the role, is what is wrong
    await expectRefusedEverywhere(tokenFor(user.id, 'admin', claims));
  });

  it('refuses the token of a user deleted from the database on every route', async () => {
    const user = await newCustomer(suite.t.http);
    const token = tokenFor(user.id, 'admin');
    await suite.t.dataSource.query(`DELETE FROM users WHERE id = $1`, [user.id]);
    await expectRefusedEverywhere(token);
    const res = await suite.t.http.get('/v1/cart').set('Authorization', token).expect(401);
    expect(res.body.message).toMatch(/no longer exists/);
    // on a public route the token simply does not count
    await suite.t.http.get('/v1/products').set('Authorization', token).expect(200);
  });

  it(`lets a token of a just-deleted user live at most ${KNOWN_USER_TTL_MS / 1000} s (the existence cache)`, async () => {
    const user = await newCustomer(suite.t.http);
    await suite.t.http.get('/v1/cart').set('Authorization', user.auth).expect(200); // now known to exist
    await suite.t.dataSource.query(`DELETE FROM users WHERE id = $1`, [user.id]);
    const clock = suite.t.app.get<Clock>(CLOCK);
    const started = Date.now();
    const spy = jest.spyOn(clock, 'now');
    try {
      spy.mockReturnValue(started + KNOWN_USER_TTL_MS - 1_000);
      await suite.t.http.get('/v1/cart').set('Authorization', user.auth).expect(200);
      spy.mockReturnValue(started + KNOWN_USER_TTL_MS + 1);
      await suite.t.http.get('/v1/cart').set('Authorization', user.auth).expect(401);
    } finally {
      spy.mockRestore();
    }
  });
});
