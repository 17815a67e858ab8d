import type { Request } from 'express';
import type { Role } from './user.entity';

/** Who is calling, as read from a verified token. */
export interface AuthUser {
  id: number;
  role: Role;
  jti: string;
  /** Token expiry, epoch seconds. */
  exp: number;
}

export interface AccessTokenClaims {
  sub: string;
  role: Role;
  jti: string;
  iat: number;
  exp: number;
}

type RequestWithUser = Request & { user?: AuthUser };

export function authUserOf(req: Request): AuthUser | undefined {
  return (req as RequestWithUser).user;
}

export function attachAuthUser(req: Request, user: AuthUser): void {
  (req as RequestWithUser).user = user;
}
