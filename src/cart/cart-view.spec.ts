import { CartProduct, cartView, deletedProductIds, parseCartHash } from './cart-view';

const product = (id: number, price: number, status: CartProduct['status'] = 'active'): CartProduct => ({
  id,
  name: `Product ${id}`,
  price,
  status,
});

describe('parseCartHash', () => {
  it('reads fields as product ids and values as quantities, sorted by product id', () => {
    expect(parseCartHash({ '12': '3', '2': '1', '7': 40 })).toEqual([
      { productId: 2, quantity: 1 },
      { productId: 7, quantity: 40 },
      { productId: 12, quantity: 3 },
    ]);
  });

  it('sorts numerically, not as text', () => {
    expect(parseCartHash({ '10': '1', '9': '1' }).map((line) => line.productId)).toEqual([9, 10]);
  });

  it.each([
    [{ abc: '1' }],
    [{ '0': '1' }],
    [{ '-3': '1' }],
    [{ '1.5': '1' }],
    [{ '4': '0' }],
    [{ '4': '-2' }],
    [{ '4': '2.5' }],
    [{ '4': 'many' }],
  ])('skips the malformed entry %j', (hash) => {
    expect(parseCartHash(hash)).toEqual([]);
  });

  it('reads an empty hash as an empty cart', () => {
    expect(parseCartHash({})).toEqual([]);
  });
});

describe('cartView', () => {
  it('prices every line at the current price and sums quantities and subtotals', () => {
    const products = new Map([
      [1, product(1, 19900)],
      [2, product(2, 350)],
    ]);
    const view = cartView(
      [
        { productId: 1, quantity: 2 },
        { productId: 2, quantity: 3 },
      ],
      products,
    );
    expect(view).toEqual({
      items: [
        { productId: 1, name: 'Product 1', unitPrice: 19900, quantity: 2, subtotal: 39800 },
        { productId: 2, name: 'Product 2', unitPrice: 350, quantity: 3, subtotal: 1050 },
      ],
      totalQuantity: 5,
      total: 40850,
    });
  });

  it('leaves out lines whose product is deleted, inactive or unknown', () => {
    const products = new Map<number, CartProduct | null>([
      [1, product(1, 100)],
      [2, null],
      [3, product(3, 500, 'inactive')],
    ]);
    const view = cartView(
      [1, 2, 3, 4].map((productId) => ({ productId, quantity: 1 })),
      products,
    );
    expect(view.items.map((item) => item.productId)).toEqual([1]);
    expect(view).toMatchObject({ totalQuantity: 1, total: 100 });
  });

  it('answers an empty cart with zero totals', () => {
    expect(cartView([], new Map())).toEqual({ items: [], totalQuantity: 0, total: 0 });
  });

  it('counts free products in the quantity but not in the total', () => {
    const view = cartView([{ productId: 5, quantity: 4 }], new Map([[5, product(5, 0)]]));
    expect(view).toMatchObject({ totalQuantity: 4, total: 0 });
    expect(view.items[0].subtotal).toBe(0);
  });

  it('stays an exact integer at the largest cart: 100 lines of 999 at the largest price', () => {
    const maxPrice = 2_147_483_647;
    const lines = Array.from({ length: 100 }, (_, index) => ({ productId: index + 1, quantity: 999 }));
    const products = new Map(lines.map((line) => [line.productId, product(line.productId, maxPrice)]));
    const view = cartView(lines, products);
    expect(view.total).toBe(214_533_616_335_300);
    expect(Number.isSafeInteger(view.total)).toBe(true);
    expect(view.totalQuantity).toBe(99_900);
  });
});

describe('deletedProductIds', () => {
  it('names only lines whose product no longer exists, not inactive or unlooked-up ones', () => {
    const products = new Map<number, CartProduct | null>([
      [1, product(1, 100)],
      [2, null],
      [3, product(3, 100, 'inactive')],
      [5, null],
    ]);
    const lines = [1, 2, 3, 4, 5].map((productId) => ({ productId, quantity: 1 }));
    expect(deletedProductIds(lines, products)).toEqual([2, 5]);
  });
});
