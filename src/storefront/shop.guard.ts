import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHmac } from 'node:crypto';
import { authUserOf } from '../common/auth-context/auth-user';
import { cookiesOf } from '../auth/session-cookie';
import { rawRequestOf, type HttpRequest } from '../common/http/http-message';
import type { AppConfig } from '../config/configuration';
import { Assets } from './assets';
import { appendSetCookie, rawResponseOf } from './responses';
import { CSRF_COOKIE, csrfCookie } from './browser-cookies';
import { csrfToken, csrfTokenMatches, isCsrfSecret, newCsrfSecret } from './csrf';
import { attachShopContext } from './shop-context';
import { CsrfTokenInvalidError } from './storefront.errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs on every storefront route, after the global `AuthGuard` has read the session
 * cookie: gives a new visitor its CSRF secret cookie, refuses any unsafe request whose
 * form lacks the matching `_csrf` token (403 `CSRF_TOKEN_INVALID`), and builds the
 * {@link ShopContext} the pages render with.
 */
@Injectable()
export class ShopGuard implements CanActivate {
  /** A key of its own, derived from the JWT secret: a CSRF token is never a valid signature of anything else. */
  private readonly key: Buffer;

  constructor(
    config: ConfigService<AppConfig, true>,
    @Inject(Assets) private readonly assets: Assets,
  ) {
    this.key = createHmac('sha256', config.get('auth', { infer: true }).jwtSecret)
      .update('storefront-csrf')
      .digest();
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequest & { body?: Record<string, unknown> }>();
    const user = authUserOf(req);
    let secret = cookiesOf(req)[CSRF_COOKIE];
    const safe = SAFE_METHODS.has(req.method);
    if (!safe && !(isCsrfSecret(secret) && csrfTokenMatches(this.key, secret, user?.jti, req.body?._csrf))) {
      throw new CsrfTokenInvalidError();
    }
    if (!isCsrfSecret(secret)) {
      secret = newCsrfSecret();
      appendSetCookie(rawResponseOf(http.getResponse<object>()), csrfCookie(rawRequestOf(req), secret));
    }
    attachShopContext(req, {
      user,
      csrfToken: csrfToken(this.key, secret, user?.jti),
      stylesPath: this.assets.styles.path,
    });
    return true;
  }
}
