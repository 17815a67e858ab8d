import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cookiesOf, sessionTokenOf } from '../auth/session-cookie';
import type { VisitorTokens } from '../cache/response-cache';
import type { AppConfig } from '../config/configuration';
import { CSRF_COOKIE, csrfCookie } from './browser-cookies';
import { csrfToken, csrfTokenMatches, isCsrfSecret, newCsrfSecret } from './csrf';
import { appendSetCookie } from './responses';

/**
 * A browser's CSRF secret and the tokens its forms carry ({@link csrfToken}): one piece of
 * code for `ShopGuard`, which renders and checks them in the pipeline, and for the
 * `ResponseCache`, which gives each anonymous visitor its own token in a stored page.
 */
@Injectable()
export class Visitors implements VisitorTokens {
  /**
   * A key of its own, derived from the JWT secret: a CSRF token is never a valid signature
   * of anything else. A key object, made once: given bytes, every HMAC imports them again,
   * which would cost a cached page more than the HMAC itself.
   */
  private readonly key: KeyObject;

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    this.key = createSecretKey(
      createHmac('sha256', config.get('auth', { infer: true }).jwtSecret)
        .update('storefront-csrf')
        .digest(),
    );
  }

  /** Without a session cookie a visitor sees what every anonymous visitor sees, but for its token. */
  admits(req: IncomingMessage): boolean {
    return sessionTokenOf(req) === undefined;
  }

  /**
   * The token for this browser's forms in session `sessionId` (the token's `jti`; none
   * signed out). A browser without a sane secret gets a new one, in a cookie on `res`.
   */
  issue(req: IncomingMessage, res: ServerResponse, sessionId?: string): string {
    let secret = cookiesOf(req)[CSRF_COOKIE];
    if (!isCsrfSecret(secret)) {
      secret = newCsrfSecret();
      appendSetCookie(res, csrfCookie(req, secret));
    }
    return csrfToken(this.key, secret, sessionId);
  }

  /** Whether a form's `_csrf` field is this browser's token in session `sessionId`. */
  verify(req: IncomingMessage, sessionId: string | undefined, presented: unknown): boolean {
    const secret = cookiesOf(req)[CSRF_COOKIE];
    return isCsrfSecret(secret) && csrfTokenMatches(this.key, secret, sessionId, presented);
  }
}
