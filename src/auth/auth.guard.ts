import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ForbiddenError, UnauthenticatedError } from '../common/errors/domain-error';
import type { HttpRequest } from '../common/http/http-message';
import { isPublicRoute, ROLES } from '../common/auth-context/auth.decorators';
import { AccessTokenClaims, attachAuthUser, AuthUser } from '../common/auth-context/auth-user';
import { TokenDenylist } from './token-denylist.service';
import { ACCEPTS_SESSION_COOKIE, sessionTokenOf } from './session-cookie';
import type { Role } from './user.entity';

/**
 * Global guard, deny by default: every route needs a valid, unrevoked bearer token
 * unless it is `@Public()`, and `@Roles(...)` narrows it further. A token on a public
 * route is still read when valid, so the caller is known (rate limits count per user).
 * Only routes marked `@AcceptsSessionCookie()` (the storefront) also take the token from
 * the session cookie; the JSON API stays bearer-only.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly denylist: TokenDenylist,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = isPublicRoute(this.reflector, context.getHandler(), context.getClass());
    const req = context.switchToHttp().getRequest<HttpRequest>();
    const acceptsCookie = this.reflector.getAllAndOverride<boolean>(ACCEPTS_SESSION_COOKIE, targets) ?? false;
    const token = bearerToken(req) ?? (acceptsCookie ? sessionTokenOf(req) : undefined);

    if (isPublic) {
      const user = token ? this.verify(token, false) : undefined;
      if (user) {
        attachAuthUser(req, user);
      }
      return true;
    }
    if (!token) {
      throw new UnauthenticatedError('A bearer token is required');
    }
    const user = this.verify(token, true)!;
    attachAuthUser(req, user);

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(user.role)) {
      throw new ForbiddenError(`This needs the role ${roles.join(' or ')}`);
    }
    return true;
  }

  private verify(token: string, required: boolean): AuthUser | undefined {
    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token, { algorithms: ['HS256'] });
    } catch (error) {
      if (!required) {
        return undefined;
      }
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new UnauthenticatedError(expired ? 'The token has expired' : 'The token is invalid');
    }
    const id = Number(claims.sub);
    if (!Number.isSafeInteger(id) || id <= 0 || typeof claims.jti !== 'string' || !isRole(claims.role)) {
      if (required) {
        throw new UnauthenticatedError('The token is invalid');
      }
      return undefined;
    }
    if (this.denylist.isRevoked(claims.jti)) {
      if (required) {
        throw new UnauthenticatedError('The token has been revoked');
      }
      return undefined;
    }
    return { id, role: claims.role, jti: claims.jti, exp: claims.exp };
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
