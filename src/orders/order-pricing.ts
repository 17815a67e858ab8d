import { DomainError } from '../common/errors/domain-error';

export interface RequestedLine {
  productId: number;
  quantity: number;
}

export interface PricedLine extends RequestedLine {
  name: string;
  unitPrice: number;
  subtotal: number;
}

export class EmptyCartError extends DomainError {
  constructor() {
    super(400, 'EMPTY_CART', 'There is nothing to order: the cart is empty');
  }
}

/**
 * Merges repeated products into one line each and sorts by product id: checkouts then
 * lock product rows in one global order, so two of them never deadlock.
 */
export function normaliseLines(lines: RequestedLine[]): RequestedLine[] {
  if (lines.length === 0) {
    throw new EmptyCartError();
  }
  const merged = new Map<number, number>();
  for (const { productId, quantity } of lines) {
    merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  }
  return [...merged.entries()]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => a.productId - b.productId);
}

export function priceLine(line: RequestedLine, name: string, unitPrice: number): PricedLine {
  return { ...line, name, unitPrice, subtotal: unitPrice * line.quantity };
}

export function orderTotal(lines: PricedLine[]): number {
  return lines.reduce((sum, line) => sum + line.subtotal, 0);
}
