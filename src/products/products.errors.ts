import { DomainError } from '../common/errors/domain-error';

export class ProductNotFoundError extends DomainError {
  constructor(id: number | string) {
    super(404, 'PRODUCT_NOT_FOUND', `Product ${id} does not exist`);
  }
}

export class SkuTakenError extends DomainError {
  constructor(sku: string) {
    super(409, 'SKU_TAKEN', `Another product already has the sku ${sku}`);
  }
}

export class InsufficientStockError extends DomainError {
  /** `available` when known: the cart says how many are left, a checkout only that it ran short. */
  constructor(productId: number, available?: number) {
    super(
      409,
      'INSUFFICIENT_STOCK',
      available === undefined
        ? `Not enough stock of product ${productId}`
        : `Only ${available} left of product ${productId}`,
    );
  }
}
