
/** A caller's role: what `@Roles` restricts routes to. */
export type Role = 'customer' | 'admin';

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

const AUTH_USER = Symbol('authUser');
type WithUser = { [AUTH_USER]?: AuthUser };

/**
 * The caller a guard identified. Kept on the node request, which the request log line
 * (written when the response finishes) sees.
 */
export function authUserOf(req: object): AuthUser | undefined {
  return (req as WithUser)[AUTH_USER];
}

export function attachAuthUser(req: object, user: AuthUser): void {
  (req as WithUser)[AUTH_USER] = user;
}
