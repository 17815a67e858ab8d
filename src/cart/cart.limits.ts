/** A line holds 1–999 of one product (API.md § Cart). */
export const MAX_LINE_QUANTITY = 999;

/** A cart holds at most 100 different products. */
export const MAX_CART_LINES = 100;

/** A cart expires 30 days after its last change; every write sets this again. */
export const CART_TTL_SECONDS = 30 * 24 * 60 * 60;

/** One Redis hash per user: field = product id, value = quantity. */
export const cartKey = (userId: number): string => `cart:${userId}`;
