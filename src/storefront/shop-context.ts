import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { authUserOf, type AuthUser } from '../common/auth-context/auth-user';
import { UnauthenticatedError } from '../common/errors/domain-error';

/** What every page's templates know of the visitor. */
export interface ShopContext {
  /** The signed-in user, when the session cookie holds a valid token. */
  user?: AuthUser;
  /** To put into every form this page renders (`_csrf`). */
  csrfToken: string;
  /** The style sheet's (content-hashed) path. */
  stylesPath: string;
}

const SHOP = Symbol('shop');
type WithShop = { [SHOP]?: ShopContext };

export function attachShopContext(req: object, shop: ShopContext): void {
  (req as WithShop)[SHOP] = shop;
}

export function shopContextOf(req: object): ShopContext | undefined {
  return (req as WithShop)[SHOP];
}

/** The visitor's {@link ShopContext} (set by `ShopGuard`). */
export const Shop = createParamDecorator((_: unknown, context: ExecutionContext): ShopContext =>
  shopContextOf(context.switchToHttp().getRequest<object>())!,
);

/** The signed-in user; without one the page answers 401, which the storefront turns into its login page. */
export const SignedIn = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser => {
  const user = authUserOf(context.switchToHttp().getRequest<object>());
  if (!user) {
    throw new UnauthenticatedError('Sign in to see this page');
  }
  return user;
});
