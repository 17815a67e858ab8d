import type { AuthUser } from '../common/auth-context/auth-user';
import { ForbiddenError } from '../common/errors/domain-error';
import { PRODUCT_STATUSES, type ProductStatus } from './product.entity';
import { ProductNotFoundError } from './products.errors';

/**
 * Who sees which products: the one rule for every reader of the catalog, the API's routes
 * and the storefront's pages alike, so a page cannot show what the API refuses. An active
 * product is everyone's; any other status (an unreleased product) is the admin's alone.
 * A list of another status is refused outright (403); a single unreleased product reads
 * as one that does not exist (404), so its id tells nothing.
 */
export const seesUnreleased = (viewer: AuthUser | undefined): boolean => viewer?.role === 'admin';

/** Whether `viewer` may see a product of `status`. */
export const isVisibleTo = (status: ProductStatus, viewer: AuthUser | undefined): boolean =>
  status === 'active' || seesUnreleased(viewer);

/**
 * The refusal of a list of `status` for `viewer`, or undefined when they may list it. A
 * value that is no status at all is left to validation (400, whoever asks), so this may
 * be asked of a raw query parameter before any parsing.
 */
export function listRefusal(status: unknown, viewer: AuthUser | undefined): ForbiddenError | undefined {
  const isStatus = PRODUCT_STATUSES.includes(status as ProductStatus);
  return isStatus && !isVisibleTo(status as ProductStatus, viewer)
    ? new ForbiddenError(`Only an admin may list products of status ${String(status)}`)
    : undefined;
}

/** Throws {@link listRefusal}'s 403 when `viewer` may not list products of `status`. */
export function assertMayList(status: ProductStatus, viewer: AuthUser | undefined): void {
  const refusal = listRefusal(status, viewer);
  if (refusal) {
    throw refusal;
  }
}

/** `product` when `viewer` may see it; otherwise (also when there is none) 404 `PRODUCT_NOT_FOUND`. */
export function visibleOrNotFound<T extends { status: ProductStatus }>(
  id: number,
  product: T | null | undefined,
  viewer: AuthUser | undefined,
): T {
  if (!product || !isVisibleTo(product.status, viewer)) {
    throw new ProductNotFoundError(id);
  }
  return product;
}
