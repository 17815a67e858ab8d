import { DomainError, ServiceUnavailableError } from '../common/errors/domain-error';
import { MAX_CART_LINES, MAX_LINE_QUANTITY } from './cart.limits';

export class CartFullError extends DomainError {
  constructor() {
    super(400, 'CART_FULL', `A cart holds at most ${MAX_CART_LINES} different products`);
  }
}

/** The body was valid on its own, but adding it to what the line holds would pass the cap. */
export class LineQuantityLimitError extends DomainError {
  constructor(productId: number, current: number) {
    super(
      400,
      'QUANTITY_LIMIT_EXCEEDED',
      `The cart already holds ${current} of product ${productId}; a line holds at most ${MAX_LINE_QUANTITY}`,
    );
  }
}

/** Carts live only in Redis: without it there is nothing to answer from. */
export class CartUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('CART_UNAVAILABLE', 'Carts are unavailable right now; try again shortly');
  }
}
