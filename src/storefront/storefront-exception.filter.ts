import { Catch, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import type { ErrorBody } from '../common/errors/error-body';
import { AllExceptionsFilter } from '../common/http/all-exceptions.filter';
import { ERROR_MAPPERS, type ErrorMapper } from '../common/http/error-mappers';
import type { HttpRequest } from '../common/http/http-message';
import { Assets } from './assets';
import { localPath } from './local-path';
import { HTML_CONTENT_TYPE } from './responses';
import { shopContextOf } from './shop-context';
import { Views } from './views';

/**
 * The storefront's errors: the global filter's mapping (status, code, message, request
 * id — one mapping for API and pages), answered as an HTML page instead of JSON. A 401
 * is not an error to a shopper: it sends them to the login page, and back here after.
 */
@Catch()
export class StorefrontExceptionFilter extends AllExceptionsFilter {
  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(ERROR_MAPPERS) mappers: readonly ErrorMapper[],
    @Inject(Views) private readonly views: Views,
    @Inject(Assets) private readonly assets: Assets,
  ) {
    super(adapterHost, mappers);
  }

  protected override send(res: unknown, body: ErrorBody, req: HttpRequest): void {
    const { httpAdapter } = this.adapterHost;
    if (body.statusCode === 401) {
      httpAdapter.redirect(res, 303, `/login?next=${encodeURIComponent(returnPathOf(req))}`);
      return;
    }
    const shop = shopContextOf(req);
    const html = this.views.render('error', {
      title: STATUS_CODES[body.statusCode] ?? 'Error',
      error: body,
      shop: { user: shop?.user, csrfToken: shop?.csrfToken ?? '', stylesPath: this.assets.styles.path },
    });
    httpAdapter.setHeader(res, 'Content-Type', HTML_CONTENT_TYPE);
    httpAdapter.setHeader(res, 'Cache-Control', 'no-store');
    httpAdapter.reply(res, html, body.statusCode);
  }
}

/** Where to come back after logging in: this page, or for a form post the page that held the form. */
function returnPathOf(req: HttpRequest): string {
  if (req.method === 'GET') {
    return localPath(req.url);
  }
  const referer = req.headers.referer;
  if (!referer) {
    return '/';
  }
  try {
    const url = new URL(referer);
    return url.host === req.headers.host ? localPath(`${url.pathname}${url.search}`) : '/';
  } catch {
    return '/';
  }
}
