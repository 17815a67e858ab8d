import type { ProductDto } from '../products/dto/product.dto';
import type { CartDto } from './dto/cart.dto';

/** One stored line of a cart. */
export interface CartLine {
  productId: number;
  quantity: number;
}

/** What the view needs of a product; `null` when the product no longer exists. */
export type CartProduct = Pick<ProductDto, 'id' | 'name' | 'price' | 'status'>;

const isPositiveInteger = (value: number) => Number.isSafeInteger(value) && value > 0;

/**
 * Reads a stored cart hash (field = product id, value = quantity) into lines sorted by
 * product id. Anything that is not a positive integer on both sides is skipped, so a
 * stray field can never reach a price calculation.
 */
export function parseCartHash(hash: Record<string, string | number>): CartLine[] {
  return Object.entries(hash)
    .map(([field, value]) => ({ productId: Number(field), quantity: Number(value) }))
    .filter((line) => isPositiveInteger(line.productId) && isPositiveInteger(line.quantity))
    .sort((a, b) => a.productId - b.productId);
}

/**
 * The cart as answered, at the products' current names and prices. Lines whose product is
 * gone or inactive are left out. The sums stay exact integers: at most 100 lines of at most
 * 999 × (2^31 − 1) is about 2.1e14, far below Number.MAX_SAFE_INTEGER.
 */
export function cartView(lines: CartLine[], products: ReadonlyMap<number, CartProduct | null>): CartDto {
  const items = lines.flatMap(({ productId, quantity }) => {
    const product = products.get(productId);
    if (!product || product.status !== 'active') {
      return [];
    }
    return [{ productId, name: product.name, unitPrice: product.price, quantity, subtotal: product.price * quantity }];
  });
  return {
    items,
    totalQuantity: items.reduce((sum, item) => sum + item.quantity, 0),
    total: items.reduce((sum, item) => sum + item.subtotal, 0),
  };
}

/**
 * Lines whose product no longer exists (`null`, as opposed to inactive, which may come
 * back). Their ids are never reused, so such a line can be dropped from the store.
 */
export function deletedProductIds(lines: CartLine[], products: ReadonlyMap<number, CartProduct | null>): number[] {
  return lines.filter((line) => products.get(line.productId) === null).map((line) => line.productId);
}
