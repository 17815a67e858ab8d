import type { AuthUser } from '../common/auth-context/auth-user';

/** Enough for every token in use on an instance at once; ~0.5 kB each. */
const CAPACITY = 4_096;

/**
 * Tokens whose signature and claims `AuthGuard` has checked, by their exact text, with
 * the caller they name. A client sends the same token on every request, and checking it
 * again (two base64 decodings, two JSON parses, an HMAC) would repeat that work on every
 * request for the same answer. Only what cannot change is remembered: a token found here is still refused
 * once its `exp` has passed (at the second jsonwebtoken refuses it), and revocation and
 * the user's existence are checked on every request by the guard. The oldest token is
 * forgotten first, so the set stays bounded.
 */
export class VerifiedTokens {
  private readonly tokens = new Map<string, AuthUser>();

  constructor(private readonly capacity = CAPACITY) {}

  /** The caller `token` names, if it was verified before and has not expired at `nowMs`. */
  get(token: string, nowMs: number): AuthUser | undefined {
    const user = this.tokens.get(token);
    if (user !== undefined && Math.floor(nowMs / 1_000) >= user.exp) {
      this.tokens.delete(token);
      return undefined;
    }
    // A copy: what a request does with its caller never reaches the next one's.
    return user === undefined ? undefined : { ...user };
  }

  remember(token: string, user: AuthUser): void {
    if (this.tokens.size >= this.capacity) {
      const oldest = this.tokens.keys().next();
      if (!oldest.done) {
        this.tokens.delete(oldest.value);
      }
    }
    this.tokens.set(token, user);
  }
}
