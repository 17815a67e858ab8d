/**
 * A price in minor units (fen / cents, the integers the API carries) as the shop shows it:
 * 19900 → "¥199.00". Integer arithmetic only, so no float rounding can creep in.
 */
export function formatPrice(minorUnits: number): string {
  if (!Number.isSafeInteger(minorUnits)) {
    throw new RangeError(`A price must be an integer number of minor units, not ${minorUnits}`);
  }
  const sign = minorUnits < 0 ? '-' : '';
  const absolute = Math.abs(minorUnits);
  const major = Math.floor(absolute / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const minor = String(absolute % 100).padStart(2, '0');
  return `${sign}¥${major}.${minor}`;
}
