import type Redis from 'ioredis';

export type LineWriteMode = 'add' | 'set';
export type LineWriteStatus = 'OK' | 'CART_FULL' | 'QUANTITY_LIMIT' | 'INSUFFICIENT_STOCK';

/**
 * Adds to (`add`) or sets (`set`) one line of a cart and refreshes the cart's TTL, as one
 * script: Redis runs it without interleaving other commands, so concurrent adds of one
 * user can neither lose an increment nor slip past the caps between a read and a write.
 * Only plain `redis.call` and `tonumber` / `tostring` are used, which the in-process
 * stand-in (ioredis-mock, Lua via fengari) runs the same way.
 *
 * KEYS[1] cart key; ARGV: product id, quantity, mode, stock, max line quantity, max lines,
 * TTL seconds. Returns `{status, quantity, hash}`: the line's new quantity when `OK`, else the
 * quantity it still holds (0 for a new line); when `OK`, also the whole cart as `HGETALL`
 * gives it, so the answer needs no second round trip.
 */
const WRITE_LINE_LUA = `
local key, field, mode = KEYS[1], ARGV[1], ARGV[3]
local quantity, stock = tonumber(ARGV[2]), tonumber(ARGV[4])
local maxQuantity, maxLines, ttl = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local stored = redis.call('HGET', key, field)
local current = tonumber(stored) or 0
if not stored and redis.call('HLEN', key) >= maxLines then
  return {'CART_FULL', current}
end
local nextQuantity = quantity
if mode == 'add' then
  nextQuantity = current + quantity
end
if nextQuantity > maxQuantity then
  return {'QUANTITY_LIMIT', current}
end
if nextQuantity > stock then
  return {'INSUFFICIENT_STOCK', current}
end
redis.call('HSET', key, field, tostring(nextQuantity))
redis.call('EXPIRE', key, ttl)
return {'OK', nextQuantity, redis.call('HGETALL', key)}
`;

export interface LineWrite {
  productId: number;
  quantity: number;
  mode: LineWriteMode;
  stock: number;
  maxQuantity: number;
  maxLines: number;
  ttlSeconds: number;
}

/** The script's reply: status, quantity, and (when `OK`) the cart's fields and values, flat. */
export type LineWriteReply = [LineWriteStatus, number, string[]?];

interface CartCommands {
  cartWriteLine(key: string, ...args: Array<string | number>): Promise<LineWriteReply>;
}

/** `HGETALL`'s flat reply (field, value, field, value, …) as the object ioredis makes of it. */
export function hashOfReply(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    hash[flat[i]] = flat[i + 1];
  }
  return hash;
}

/** Registers the script on `redis` (sent once, then run by its SHA) and returns a caller for it. */
export function defineWriteLine(redis: Redis): (key: string, write: LineWrite) => Promise<LineWriteReply> {
  redis.defineCommand('cartWriteLine', { numberOfKeys: 1, lua: WRITE_LINE_LUA });
  const client = redis as Redis & CartCommands;
  return (key, write) =>
    client.cartWriteLine(
      key,
      write.productId,
      write.quantity,
      write.mode,
      write.stock,
      write.maxQuantity,
      write.maxLines,
      write.ttlSeconds,
    );
}
