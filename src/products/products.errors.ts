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
