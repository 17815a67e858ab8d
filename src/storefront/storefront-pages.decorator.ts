import { applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/auth-context/auth.decorators';
import { AcceptsSessionCookie } from '../auth/session-cookie';
import { ShopGuard } from './shop.guard';
import { StorefrontExceptionFilter } from './storefront-exception.filter';

/**
 * A controller of storefront pages: open to visitors (pages that need a user ask for
 * `@SignedIn()`), signed in by the session cookie, every form post CSRF-checked, errors
 * as HTML pages, and no part of the JSON API's OpenAPI document.
 */
export const StorefrontPages = () =>
  applyDecorators(
    Public(),
    AcceptsSessionCookie(),
    UseGuards(ShopGuard),
    UseFilters(StorefrontExceptionFilter),
    ApiExcludeController(),
  );
