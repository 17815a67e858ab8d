import { EmptyCartError, normaliseLines, orderTotal, priceLine } from './order-pricing';

describe('order pricing', () => {
  it('merges repeated products and sorts lines by product id (one lock order for every checkout)', () => {
    expect(
      normaliseLines([
        { productId: 9, quantity: 1 },
        { productId: 2, quantity: 3 },
        { productId: 9, quantity: 4 },
      ]),
    ).toEqual([
      { productId: 2, quantity: 3 },
      { productId: 9, quantity: 5 },
    ]);
  });

  it('refuses an empty order with 400 EMPTY_CART', () => {
    expect(() => normaliseLines([])).toThrow(EmptyCartError);
    expect(() => normaliseLines([])).toThrow(expect.objectContaining({ status: 400, code: 'EMPTY_CART' }));
  });

  it('prices a line as unit price times quantity, in integer minor units', () => {
    expect(priceLine({ productId: 1, quantity: 3 }, 'Kettle', 12900)).toEqual({
      productId: 1,
      quantity: 3,
      name: 'Kettle',
      unitPrice: 12900,
      subtotal: 38700,
    });
  });

  it('totals the subtotals', () => {
    const lines = [
      priceLine({ productId: 1, quantity: 2 }, 'a', 19900),
      priceLine({ productId: 2, quantity: 1 }, 'b', 89900),
    ];
    expect(orderTotal(lines)).toBe(129700);
    expect(Number.isInteger(orderTotal(lines))).toBe(true);
  });
});
