import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../common/auth-context/auth.decorators';
import type { AuthUser } from '../common/auth-context/auth-user';
import { ApiErrors, INVALID_PARAMETER, UNAUTHENTICATED, VALIDATION_FAILED } from '../common/http/api-errors.decorator';
import { ApiIdParam, IdParamPipe } from '../common/http/id-param.pipe';
import { CartService } from './cart.service';
import { AddCartItemDto, SetCartItemDto } from './dto/cart-item.dto';
import { CartDto } from './dto/cart.dto';

const UNAVAILABLE = { CART_UNAVAILABLE: 'The cart store is not answering; try again' };
const NOT_FOUND = { PRODUCT_NOT_FOUND: 'Product 7 does not exist' };
const NO_STOCK = { INSUFFICIENT_STOCK: 'Only 2 left of product 7' };
const CART_FULL = { CART_FULL: 'A cart holds at most 100 different products' };

/** The caller's own cart: every route needs a bearer token (any role) and acts on its user only. */
@ApiTags('cart')
@ApiErrors({ 401: UNAUTHENTICATED })
@Controller('v1/cart')
export class CartController {
  constructor(private readonly cart: CartService) {}

  @Get()
  @ApiOperation({ summary: 'Get the cart', description: 'The caller’s cart, priced at current product prices.' })
  @ApiOkResponse({ type: CartDto, description: 'The cart at current product prices' })
  @ApiErrors({ 503: UNAVAILABLE })
  get(@CurrentUser() user: AuthUser): Promise<CartDto> {
    return this.cart.view(user.id);
  }

  @Post('items')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add to a cart line',
    description: 'Adds the quantity to the product’s line (a line holds 1–999; a cart at most 100 lines).',
  })
  @ApiOkResponse({ type: CartDto, description: 'The quantity was added to the line' })
  @ApiErrors({
    400: {
      ...VALIDATION_FAILED,
      ...CART_FULL,
      QUANTITY_LIMIT_EXCEEDED: 'A cart line holds at most 999',
    },
    404: NOT_FOUND,
    409: NO_STOCK,
    503: UNAVAILABLE,
  })
  add(@CurrentUser() user: AuthUser, @Body() body: AddCartItemDto): Promise<CartDto> {
    return this.cart.addItem(user.id, body.productId, body.quantity);
  }

  @Put('items/:productId')
  @ApiOperation({
    summary: 'Set a cart line',
    description: 'The line holds exactly this quantity afterwards; 0 removes it (the product is then not checked).',
  })
  @ApiIdParam('productId', 7)
  @ApiOkResponse({ type: CartDto, description: 'The line holds exactly this quantity; 0 removes it' })
  @ApiErrors({
    400: { ...VALIDATION_FAILED, ...INVALID_PARAMETER, ...CART_FULL },
    404: NOT_FOUND,
    409: NO_STOCK,
    503: UNAVAILABLE,
  })
  set(
    @CurrentUser() user: AuthUser,
    @Param('productId', IdParamPipe) productId: number,
    @Body() body: SetCartItemDto,
  ): Promise<CartDto> {
    return this.cart.setItem(user.id, productId, body.quantity);
  }

  @Delete('items/:productId')
  @ApiOperation({ summary: 'Remove a cart line', description: 'Also answers 200 when the cart did not hold it.' })
  @ApiIdParam('productId', 7)
  @ApiOkResponse({ type: CartDto, description: 'The line is gone (also when the cart did not hold it)' })
  @ApiErrors({ 400: INVALID_PARAMETER, 503: UNAVAILABLE })
  remove(@CurrentUser() user: AuthUser, @Param('productId', IdParamPipe) productId: number): Promise<CartDto> {
    return this.cart.removeItem(user.id, productId);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Empty the cart', description: 'Removes every line.' })
  @ApiNoContentResponse({ description: 'The cart is empty' })
  @ApiErrors({ 503: UNAVAILABLE })
  clear(@CurrentUser() user: AuthUser): Promise<void> {
    return this.cart.clear(user.id);
  }
}
