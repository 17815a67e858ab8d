import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { authUserOf } from '../common/auth-context/auth-user';
import type { HttpRequest } from '../common/http/http-message';
import { Assets } from './assets';
import { attachShopContext } from './shop-context';
import { CsrfTokenInvalidError } from './storefront.errors';
import { Visitors } from './visitors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs on every storefront route, after the global `AuthGuard` has read the session
 * cookie: refuses any unsafe request whose form lacks the browser's `_csrf` token (403
 * `CSRF_TOKEN_INVALID`), gives a new visitor its CSRF secret cookie, and builds the
 * {@link ShopContext} the pages render with.
 */
@Injectable()
export class ShopGuard implements CanActivate {
  constructor(
    @Inject(Visitors) private readonly visitors: Visitors,
    @Inject(Assets) private readonly assets: Assets,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequest & { body?: Record<string, unknown> }>();
    const user = authUserOf(req);
    if (!SAFE_METHODS.has(req.method) && !this.visitors.verify(req, user?.jti, req.body?._csrf)) {
      throw new CsrfTokenInvalidError();
    }
    attachShopContext(req, {
      user,
      csrfToken: this.visitors.issue(req, http.getResponse<ServerResponse>(), user?.jti),
      stylesPath: this.assets.styles.path,
    });
    return true;
  }
}
