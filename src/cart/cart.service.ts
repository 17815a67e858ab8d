import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { ProductsService } from '../products/products.service';
import { ProductNotFoundError } from '../products/products.errors';
import { REDIS } from '../redis/redis.constants';
import { CartLine, CartProduct, cartView, deletedProductIds, parseCartHash } from './cart-view';
import { InsufficientStockError } from '../products/products.errors';
import { CartFullError, CartUnavailableError, LineQuantityLimitError } from './cart.errors';
import { CART_TTL_SECONDS, cartKey, MAX_CART_LINES, MAX_LINE_QUANTITY } from './cart.limits';
import { defineWriteLine, hashOfReply, LineWriteMode } from './cart.script';
import type { CartDto } from './dto/cart.dto';

/**
 * Carts live in Redis only, one hash per user (see `cart.limits.ts`). Every write reaches
 * Redis, TTL included, in one round trip before it is answered, and there is no
 * in-process copy, so every instance always reads the same cart.
 */
@Injectable()
export class CartService {
  private readonly logger = new Logger(CartService.name);
  private readonly writeLineScript: ReturnType<typeof defineWriteLine>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly products: ProductsService,
  ) {
    this.writeLineScript = defineWriteLine(redis);
  }

  async view(userId: number): Promise<CartDto> {
    return this.viewOf(userId, await this.lines(userId));
  }

  /** The answer for these stored lines of the cart of `userId`. */
  private async viewOf(userId: number, lines: CartLine[]): Promise<CartDto> {
    const products = await this.productsOf(lines);
    const deleted = deletedProductIds(lines, products);
    if (deleted.length > 0) {
      // Frees their slots of the line cap. A read is not a change, so the TTL stays as it is.
      await this.store(() => this.redis.hdel(cartKey(userId), ...deleted.map(String)));
    }
    return cartView(lines, products);
  }

  async addItem(userId: number, productId: number, quantity: number): Promise<CartDto> {
    return this.viewOf(userId, await this.writeLine(userId, productId, quantity, 'add'));
  }

  /** Sets a line; 0 removes it (without looking the product up, so a vanished product can go too). */
  async setItem(userId: number, productId: number, quantity: number): Promise<CartDto> {
    if (quantity === 0) {
      return this.removeItem(userId, productId);
    }
    return this.viewOf(userId, await this.writeLine(userId, productId, quantity, 'set'));
  }

  /** Removing a line the cart does not hold is not an error: the result is the same. */
  async removeItem(userId: number, productId: number): Promise<CartDto> {
    await this.removeProducts(userId, [productId]);
    return this.view(userId);
  }

  async clear(userId: number): Promise<void> {
    await this.store(() => this.redis.del(cartKey(userId)));
  }

  /** The raw stored lines, sorted by product id (for checkout: it prices them itself). */
  async lines(userId: number): Promise<CartLine[]> {
    const hash = await this.store(() => this.redis.hgetall(cartKey(userId)));
    return parseCartHash(hash);
  }

  /**
   * Removes these lines and refreshes the TTL, in one round trip: the two commands go out
   * together through auto-pipelining, with whatever else this tick sends (a MULTI block
   * would be four commands in a write of its own, per checkout). They need no MULTI: a
   * write landing between them only has its TTL set again, to the same value.
   */
  async removeProducts(userId: number, productIds: number[]): Promise<void> {
    if (productIds.length === 0) {
      return;
    }
    const key = cartKey(userId);
    await this.store(() =>
      Promise.all([this.redis.hdel(key, ...productIds.map(String)), this.redis.expire(key, CART_TTL_SECONDS)]),
    );
  }

  /** Writes one line and returns the cart's lines as they are right after the write. */
  private async writeLine(
    userId: number,
    productId: number,
    quantity: number,
    mode: LineWriteMode,
  ): Promise<CartLine[]> {
    const product = await this.products.findCached(productId);
    if (!product || product.status !== 'active') {
      throw new ProductNotFoundError(productId);
    }
    const [status, current, hash] = await this.store(() =>
      this.writeLineScript(cartKey(userId), {
        productId,
        quantity,
        mode,
        // The stock as cached; checkout checks it again in the database, which decides.
        stock: product.stock,
        maxQuantity: MAX_LINE_QUANTITY,
        maxLines: MAX_CART_LINES,
        ttlSeconds: CART_TTL_SECONDS,
      }),
    );
    switch (status) {
      case 'OK':
        return parseCartHash(hashOfReply(hash ?? []));
      case 'CART_FULL':
        throw new CartFullError();
      case 'QUANTITY_LIMIT':
        throw new LineQuantityLimitError(productId, current);
      case 'INSUFFICIENT_STOCK':
        throw new InsufficientStockError(productId, product.stock);
      default:
        throw new Error(`Unexpected cart script status ${String(status)}`);
    }
  }

  private async productsOf(lines: CartLine[]): Promise<Map<number, CartProduct | null>> {
    const found = lines.length === 0 ? [] : await this.products.findManyCached(lines.map((line) => line.productId));
    return new Map(lines.map((line, index) => [line.productId, found[index]]));
  }

  /** Runs a Redis command; a Redis failure becomes a 503, since a cart has no other home. */
  private async store<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.logger.warn(`Cart store failed: ${(error as Error).message}`);
      throw new CartUnavailableError();
    }
  }
}
