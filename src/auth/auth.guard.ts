import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ForbiddenError, UnauthenticatedError } from '../common/errors/domain-error';
import type { HttpRequest } from '../common/http/http-message';
import { isPublicRoute, ROLES } from '../common/auth-context/auth.decorators';
import { type AccessTokenClaims, attachAuthUser, type AuthUser } from '../common/auth-context/auth-user';
import { UserNotFoundError } from './auth.errors';
import { KnownUsers } from './known-users.service';
import { TokenDenylist } from './token-denylist.service';
import { VerifiedTokens } from './verified-tokens';
import { ACCEPTS_SESSION_COOKIE, sessionTokenOf } from './session-cookie';
import type { Role } from './user.entity';

/** Clock skew allowed between the instance that signed a token and the one reading it. */
const IAT_SKEW_SECONDS = 60;
/** `sub` is a user id as canonical decimal digits: no sign, no leading zero, no exponent, no spaces. */
const CANONICAL_ID = /^[1-9][0-9]{0,9}$/;
const MAX_ID = 2_147_483_647;

/**
 * Global guard, deny by default: every route needs a valid, unrevoked bearer token
 * unless it is `@Public()`, and `@Roles(...)` narrows it further. A token means what it
 * says or nothing: besides its signature and `exp`, it must carry `exp`, `iat`, `jti`,
 * `sub` and `role`, a canonical `sub`, an `iat` not in the future (beyond 60 s of skew),
 * and name a user who still exists ({@link KnownUsers}); else it is 401 on every route.
 * A token on a public route is still read when valid, so the caller is known (rate
 * limits count per user); an invalid one there is ignored. Only routes marked
 * `@AcceptsSessionCookie()` (the storefront) also take the token from the session
 * cookie; the JSON API stays bearer-only.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly denylist: TokenDenylist,
    private readonly knownUsers: KnownUsers,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = isPublicRoute(this.reflector, context.getHandler(), context.getClass());
    const req = context.switchToHttp().getRequest<HttpRequest>();
    const acceptsCookie = this.reflector.getAllAndOverride<boolean>(ACCEPTS_SESSION_COOKIE, targets) ?? false;
    const token = bearerToken(req) ?? (acceptsCookie ? sessionTokenOf(req) : undefined);

    if (isPublic) {
      const user = token ? await this.verify(token).catch(() => undefined) : undefined;
      if (user) {
        attachAuthUser(req, user);
      }
      return true;
    }
    if (!token) {
      throw new UnauthenticatedError('A bearer token is required');
    }
    const user = await this.verify(token);
    attachAuthUser(req, user);

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(user.role)) {
      throw new ForbiddenError(`This needs the role ${roles.join(' or ')}`);
    }
    return true;
  }

  /** The caller `token` names, or an `UnauthenticatedError` saying why not. */
  private async verify(token: string): Promise<AuthUser> {
    const user = this.verified.get(token, Date.now()) ?? this.verifyToken(token);
    if (this.denylist.isRevoked(user.jti)) {
      throw new UnauthenticatedError('The token has been revoked');
    }
    if (!(await this.knownUsers.exists(user.id))) {
      throw new UserNotFoundError();
    }
    return user;
  }

  /** Signature, `exp` and every claim; a token that passes is remembered (see {@link VerifiedTokens}). */
  private verifyToken(token: string): AuthUser {
    let claims: Partial<Record<keyof AccessTokenClaims | 'nbf', unknown>>;
    try {
      claims = this.jwt.verify(token, { algorithms: ['HS256'] });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new UnauthenticatedError(expired ? 'The token has expired' : 'The token is invalid');
    }
    const { sub, role, jti, iat, exp } = claims;
    if (
      typeof sub !== 'string' ||
      !CANONICAL_ID.test(sub) ||
      Number(sub) > MAX_ID ||
      !isRole(role) ||
      typeof jti !== 'string' ||
      jti === '' ||
      !Number.isFinite(exp) ||
      !Number.isFinite(iat) ||
      (iat as number) > Date.now() / 1_000 + IAT_SKEW_SECONDS
    ) {
      throw new UnauthenticatedError('The token is invalid');
    }
    const user: AuthUser = { id: Number(sub), role, jti, exp: exp as number };
    // Ours carry no `nbf`; one that does is checked in full every time.
    if (claims.nbf === undefined) {
      this.verified.remember(token, user);
    }
    return user;
  }
}

function bearerToken(req: HttpRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) {
    return undefined;
  }
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

function isRole(value: unknown): value is Role {
  return value === 'customer' || value === 'admin';
}
