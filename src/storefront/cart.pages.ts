import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../common/auth-context/auth-user';
import { AddCartItemDto, SetCartItemDto } from '../cart/dto/cart-item.dto';
import { CartService } from '../cart/cart.service';
import { DomainError, ForbiddenError } from '../common/errors/domain-error';
import type { HttpRequest, HttpResponse } from '../common/http/http-message';
import { requestIdOf } from '../common/http/request-id';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { IdempotencyKeyInFlightError } from '../orders/idempotency';
import { OrdersService } from '../orders/orders.service';
import { CheckoutForm } from './dto/checkout.form';
import { Form } from './form-fields.pipe';
import { localPath } from './local-path';
import { page, seeOther } from './responses';
import { Shop, SignedIn, type ShopContext } from './shop-context';
import { StorefrontPages } from './storefront-pages.decorator';
import { Views } from './views';

/** A double-clicked "Place order": how long the second post waits for the first to commit. */
const IN_FLIGHT_WAIT_MS = 10_000;
const IN_FLIGHT_POLL_MS = 100;
const CART = localPath('/cart');

/** The cart page, its forms, and checkout, through the same services as `/v1/cart` and `POST /v1/orders`. */
@StorefrontPages()
@Controller()
export class CartPages {
  constructor(
    private readonly cart: CartService,
    private readonly orders: OrdersService,
    @Inject(Views) private readonly views: Views,
  ) {}

  @Get('cart')
  async view(
    @Shop() shop: ShopContext,
    @SignedIn() user: AuthUser,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    const cart = await this.cart.view(user.id);
    // A key per render: posting this form twice (double click, reload, back and resubmit) places one order.
    return page(res, this.views.render('cart', { shop, cart, idempotencyKey: randomUUID() }));
  }

  @Post('cart/items')
  async add(
    @SignedIn() user: AuthUser,
    @Body(Form(AddCartItemDto)) body: Readonly<AddCartItemDto>,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    await this.cart.addItem(user.id, body.productId, body.quantity);
    return seeOther(res, CART);
  }

  /** Sets the line's quantity; 0 removes it. */
  @Post('cart/items/:productId')
  async set(
    @SignedIn() user: AuthUser,
    @Param('productId', IdParamPipe) productId: number,
    @Body(Form(SetCartItemDto)) body: Readonly<SetCartItemDto>,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    await this.cart.setItem(user.id, productId, body.quantity);
    return seeOther(res, CART);
  }

  @Post('cart/items/:productId/remove')
  async remove(
    @SignedIn() user: AuthUser,
    @Param('productId', IdParamPipe) productId: number,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    await this.cart.removeItem(user.id, productId);
    return seeOther(res, CART);
  }

  /** Checks the whole cart out, as `POST /v1/orders` with `{}` and the form's Idempotency-Key. */
  @Post('checkout')
  async checkout(
    @SignedIn() user: AuthUser,
    @Body(Form(CheckoutForm)) body: Readonly<CheckoutForm>,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    if (user.role !== 'customer') {
      throw new ForbiddenError('Only customers place orders');
    }
    const answer = await this.placeOnce(user, body.idempotencyKey, requestIdOf(req));
    const stored = JSON.parse(answer.json) as { id: number } | { code: string; message: string };
    if ('id' in stored) {
      return seeOther(res, localPath(`/orders/${stored.id}`));
    }
    // A refused checkout (stored with its key, so a resubmitted form gets it again) as the error page.
    throw new DomainError(answer.status, stored.code, stored.message, answer.headers);
  }

  /**
   * The second post of a double click arrives while the first still runs (409 in flight
   * from the API); a browser shows only the last answer, so that one waits for the first
   * to finish and answers with its order.
   */
  private async placeOnce(user: AuthUser, key: string, requestId: string) {
    const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
    for (;;) {
      try {
        return await this.orders.create(user, {}, { idempotencyKey: key, requestId });
      } catch (error) {
        if (!(error instanceof IdempotencyKeyInFlightError) || Date.now() > deadline) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
      }
    }
  }
}
