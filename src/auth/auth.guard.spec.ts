import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import type { HttpRequest } from '../common/http/http-message';
import { DomainError } from '../common/errors/domain-error';
import { Public, Roles } from '../common/auth-context/auth.decorators';
import { AuthGuard } from './auth.guard';
import { AuthUser, authUserOf } from '../common/auth-context/auth-user';
import { KnownUsers } from './known-users.service';
import { AcceptsSessionCookie } from './session-cookie';
import { TokenDenylist } from './token-denylist.service';

const SECRET = 'x'.repeat(32);
const REVOKED_JTI = 'revoked-jti';
const DELETED_USER = 13;
/** Revoked token ids; a test may revoke one it used before. */
const revoked = new Set([REVOKED_JTI]);

class ShopController {
  @Public()
  browse() {}

  orders() {}

  @Roles('admin')
  manage() {}
}

@Roles('admin')
class AdminController {
  report() {}

  @Roles('customer', 'admin')
  shared() {}
}

@Public()
class OpenController {
  health() {}
}

@Public()
@AcceptsSessionCookie()
class PagesController {
  page() {}
}

type Handler = () => void;

function contextFor(controller: new () => object, handler: Handler, authorization?: string) {
  const req = { headers: authorization === undefined ? {} : { authorization } } as HttpRequest;
  const context = {
    getHandler: () => handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
  return { context, req };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('AuthGuard', () => {
  let guard: AuthGuard;
  let jwt: JwtService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [JwtModule.register({ secret: SECRET })],
      providers: [
        AuthGuard,
        Reflector,
        { provide: TokenDenylist, useValue: { isRevoked: (jti: string) => revoked.has(jti) } },
        { provide: KnownUsers, useValue: { exists: (id: number) => Promise.resolve(id !== DELETED_USER) } },
      ],
    }).compile();
    guard = moduleRef.get(AuthGuard);
    jwt = moduleRef.get(JwtService);
  });

  const tokenFor = (role: string, { jti = 'jti-1', sub = '7', expiresIn = 3600 } = {}) =>
    `Bearer ${jwt.sign({ sub, role }, { jwtid: jti, expiresIn, algorithm: 'HS256' })}`;

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  /** A token with every claim right, then `overrides` (undefined: the claim left out), signed as ours are. */
  const signed = (overrides: Record<string, unknown>) => {
    const claims: Record<string, unknown> = {
      sub: '7',
      role: 'customer',
      jti: 'jti-1',
      iat: nowSeconds(),
      exp: nowSeconds() + 3600,
      ...overrides,
    };
    const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
    return `Bearer ${jwt.sign(payload, { algorithm: 'HS256', noTimestamp: !('iat' in payload) })}`;
  };

  async function rejection(run: () => Promise<unknown>): Promise<DomainError> {
    try {
      await run();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      return error as DomainError;
    }
    throw new Error('expected the guard to refuse');
  }

  const expectUnauthenticated = async (authorization?: string, handler: Handler = ShopController.prototype.orders) => {
    const { context, req } = contextFor(ShopController, handler, authorization);
    const error = await rejection(() => guard.canActivate(context));
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(authUserOf(req)).toBeUndefined();
    return error;
  };

  describe('on a public route', () => {
    it('lets a caller without a token through', async () => {
      const { context, req } = contextFor(ShopController, ShopController.prototype.browse);
      expect(await guard.canActivate(context)).toBe(true);
      expect(authUserOf(req)).toBeUndefined();
    });

    it('lets every route of a public controller through', async () => {
      const { context } = contextFor(OpenController, OpenController.prototype.health);
      expect(await guard.canActivate(context)).toBe(true);
    });

    it('still identifies a caller with a valid token', async () => {
      const { context, req } = contextFor(ShopController, ShopController.prototype.browse, tokenFor('customer'));
      expect(await guard.canActivate(context)).toBe(true);
      expect(authUserOf(req)).toMatchObject({ id: 7, role: 'customer', jti: 'jti-1' });
    });

    it('ignores an invalid token instead of refusing', async () => {
      const { context, req } = contextFor(ShopController, ShopController.prototype.browse, 'Bearer not-a-jwt');
      expect(await guard.canActivate(context)).toBe(true);
      expect(authUserOf(req)).toBeUndefined();
    });

    it('ignores a revoked token instead of refusing', async () => {
      const revoked = tokenFor('customer', { jti: REVOKED_JTI });
      const { context, req } = contextFor(ShopController, ShopController.prototype.browse, revoked);
      expect(await guard.canActivate(context)).toBe(true);
      expect(authUserOf(req)).toBeUndefined();
    });
  });

  describe('on a protected route', () => {
    it('attaches the verified caller to the request', async () => {
      const { context, req } = contextFor(ShopController, ShopController.prototype.orders, tokenFor('customer'));
      expect(await guard.canActivate(context)).toBe(true);
      const user = authUserOf(req) as AuthUser;
      expect(user).toEqual({ id: 7, role: 'customer', jti: 'jti-1', exp: expect.any(Number) });
      expect(user.exp).toBeGreaterThan(Date.now() / 1000);
    });

    it('accepts the bearer scheme in any case', async () => {
      const token = tokenFor('customer').slice('Bearer '.length);
      const { context } = contextFor(ShopController, ShopController.prototype.orders, `bEaReR ${token}`);
      expect(await guard.canActivate(context)).toBe(true);
    });

    it('refuses a caller without a token', async () => {
      expect((await expectUnauthenticated(undefined)).message).toBe('A bearer token is required');
    });

    it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], ['Bearer '], ['']])('refuses the header %j', async (authorization) => {
      await expectUnauthenticated(authorization);
    });

    it('refuses an expired token', async () => {
      expect((await expectUnauthenticated(tokenFor('customer', { expiresIn: -10 }))).message).toBe(
        'The token has expired',
      );
    });

    it('refuses a token signed with another secret', async () => {
      const forged = new JwtService({ secret: 'y'.repeat(32) }).sign({ sub: '7', role: 'admin' }, { jwtid: 'j' });
      expect((await expectUnauthenticated(`Bearer ${forged}`)).message).toBe('The token is invalid');
    });

    it('refuses an unsigned alg:none token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const payload = { sub: '7', role: 'admin', jti: 'jti-none', iat: now, exp: now + 3600 };
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
      expect((await expectUnauthenticated(`Bearer ${unsigned}`)).message).toBe('The token is invalid');
    });

    it('refuses a token signed with the right secret but another algorithm', async () => {
      const hs512 = jwt.sign({ sub: '7', role: 'admin' }, { jwtid: 'j', algorithm: 'HS512' });
      await expectUnauthenticated(`Bearer ${hs512}`);
    });

    it('refuses a revoked token', async () => {
      const error = await expectUnauthenticated(tokenFor('customer', { jti: REVOKED_JTI }));
      expect(error.message).toBe('The token has been revoked');
    });

    it.each([
      ['an unknown role', () => tokenFor('root')],
      ['a non-numeric subject', () => tokenFor('customer', { sub: 'abc' })],
      ['a zero subject', () => tokenFor('customer', { sub: '0' })],
      ['the subject 1e0', () => tokenFor('customer', { sub: '1e0' })],
      ['the subject " 2"', () => tokenFor('customer', { sub: ' 2' })],
      ['the subject 0x2', () => tokenFor('customer', { sub: '0x2' })],
      ['the subject 02', () => tokenFor('customer', { sub: '02' })],
      ['the subject 7.0', () => tokenFor('customer', { sub: '7.0' })],
      ['a subject beyond int32', () => tokenFor('customer', { sub: '2147483648' })],
      ['a numeric (not string) subject', () => signed({ sub: 7 })],
      ['no subject', () => signed({ sub: undefined })],
      ['no role', () => signed({ role: undefined })],
      ['no jti', () => signed({ jti: undefined })],
      ['an empty jti', () => signed({ jti: '' })],
      ['no exp', () => signed({ exp: undefined })],
      ['no iat', () => signed({ iat: undefined })],
      ['an iat 61 s in the future', () => signed({ iat: nowSeconds() + 61 })],
    ])('refuses a token with %s', async (_label, makeToken) => {
      expect((await expectUnauthenticated(makeToken())).message).toBe('The token is invalid');
    });

    it('accepts an iat up to 60 s in the future (clock skew between instances)', async () => {
      const { context } = contextFor(
        ShopController,
        ShopController.prototype.orders,
        signed({ iat: nowSeconds() + 55 }),
      );
      expect(await guard.canActivate(context)).toBe(true);
    });

    it('refuses a token it accepted before, once it has expired', async () => {
      const token = tokenFor('customer', { jti: 'jti-expiring', expiresIn: 5 });
      expect(await guard.canActivate(contextFor(ShopController, ShopController.prototype.orders, token).context)).toBe(
        true,
      );
      const now = Date.now();
      const later = jest.spyOn(Date, 'now').mockReturnValue(now + 6_000);
      try {
        expect((await expectUnauthenticated(token)).message).toBe('The token has expired');
      } finally {
        later.mockRestore();
      }
    });

    it('refuses a token it accepted before, once it is revoked', async () => {
      const token = tokenFor('customer', { jti: 'jti-logged-out' });
      expect(await guard.canActivate(contextFor(ShopController, ShopController.prototype.orders, token).context)).toBe(
        true,
      );
      revoked.add('jti-logged-out');
      expect((await expectUnauthenticated(token)).message).toBe('The token has been revoked');
    });

    it('refuses a valid token whose user no longer exists', async () => {
      const error = await expectUnauthenticated(tokenFor('customer', { sub: String(DELETED_USER) }));
      expect(error.message).toBe('The account behind this token no longer exists');
    });

    it('refuses a token without a jti', async () => {
      const noJti = jwt.sign({ sub: '7', role: 'customer' }, { expiresIn: 60 });
      await expectUnauthenticated(`Bearer ${noJti}`);
    });
  });

  describe('with @Roles', () => {
    it('refuses a customer on an admin route with 403 FORBIDDEN', async () => {
      const { context } = contextFor(ShopController, ShopController.prototype.manage, tokenFor('customer'));
      expect(await rejection(() => guard.canActivate(context))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    });

    it('lets an admin through', async () => {
      const { context, req } = contextFor(ShopController, ShopController.prototype.manage, tokenFor('admin'));
      expect(await guard.canActivate(context)).toBe(true);
      expect(authUserOf(req)).toMatchObject({ id: 7, role: 'admin' });
    });

    it('applies roles set on the controller to its routes', async () => {
      const { context } = contextFor(AdminController, AdminController.prototype.report, tokenFor('customer'));
      expect(await rejection(() => guard.canActivate(context))).toMatchObject({ status: 403 });
    });

    it('lets a route override the roles of its controller', async () => {
      const { context } = contextFor(AdminController, AdminController.prototype.shared, tokenFor('customer'));
      expect(await guard.canActivate(context)).toBe(true);
    });

    it('still needs a token before looking at roles', async () => {
      await expectUnauthenticated(undefined, ShopController.prototype.manage);
    });
  });
  describe('the session cookie', () => {
    const withCookie = (controller: new () => object, handler: Handler, token: string) => {
      const req = { headers: { cookie: `other=1; mall_session=${token.slice('Bearer '.length)}` } } as HttpRequest;
      const context = {
        getHandler: () => handler,
        getClass: () => controller,
        switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}) }),
      } as unknown as ExecutionContext;
      return { context, req };
    };

    it('signs the caller in on routes that accept it (the storefront)', async () => {
      const { context, req } = withCookie(PagesController, PagesController.prototype.page, tokenFor('customer'));
      expect(await guard.canActivate(context)).toBe(true);
      expect(authUserOf(req)).toMatchObject({ id: 7, role: 'customer' });
    });

    it('counts for nothing anywhere else: the API stays bearer-only', async () => {
      const { context, req } = withCookie(ShopController, ShopController.prototype.orders, tokenFor('customer'));
      expect(await rejection(() => guard.canActivate(context))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(authUserOf(req)).toBeUndefined();
      const open = withCookie(ShopController, ShopController.prototype.browse, tokenFor('customer'));
      expect(await guard.canActivate(open.context)).toBe(true);
      expect(authUserOf(open.req)).toBeUndefined();
    });

    it('is ignored when revoked, like a revoked bearer token on a public route', async () => {
      const revoked = tokenFor('customer', { jti: REVOKED_JTI });
      const { context, req } = withCookie(PagesController, PagesController.prototype.page, revoked);
      expect(await guard.canActivate(context)).toBe(true);
      expect(authUserOf(req)).toBeUndefined();
    });
  });
});
