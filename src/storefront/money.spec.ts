import { formatPrice } from './money';

describe('formatPrice', () => {
  it.each([
    [19900, '¥199.00'],
    [0, '¥0.00'],
    [5, '¥0.05'],
    [99, '¥0.99'],
    [100, '¥1.00'],
    [123456789, '¥1,234,567.89'],
    [2_147_483_647, '¥21,474,836.47'],
    [-1050, '-¥10.50'],
  ])('shows %d minor units as %s', (cents, shown) => {
    expect(formatPrice(cents)).toBe(shown);
  });

  it('refuses a price that is not an integer', () => {
    expect(() => formatPrice(1.5)).toThrow(RangeError);
    expect(() => formatPrice(Number.NaN)).toThrow(RangeError);
  });
});
