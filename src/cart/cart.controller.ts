import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../common/auth-context/auth.decorators';
import type { AuthUser } from '../common/auth-context/auth-user';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { CartService } from './cart.service';
import { AddCartItemDto, SetCartItemDto } from './dto/cart-item.dto';
import { CartDto } from './dto/cart.dto';

const PRODUCT_ID_PARAM = { name: 'productId', type: Number, example: 7 };

/** The caller's own cart: every route needs a bearer token (any role) and acts on its user only. */
@ApiTags('cart')
@ApiBearerAuth()
@Controller('v1/cart')
export class CartController {
  constructor(private readonly cart: CartService) {}

  @Get()
  @ApiOkResponse({ type: CartDto, description: 'The cart at current product prices' })
  @ApiErrors({ 401: 'UNAUTHENTICATED', 503: 'CART_UNAVAILABLE' })
  get(@CurrentUser() user: AuthUser): Promise<CartDto> {
    return this.cart.view(user.id);
  }

  @Post('items')
  @HttpCode(200)
  @ApiOkResponse({ type: CartDto, description: 'The quantity was added to the line' })
  @ApiErrors({
    400: 'VALIDATION_FAILED, CART_FULL (over 100 lines), QUANTITY_LIMIT_EXCEEDED (line over 999)',
    401: 'UNAUTHENTICATED',
    404: 'PRODUCT_NOT_FOUND (unknown or inactive)',
    409: 'INSUFFICIENT_STOCK',
    503: 'CART_UNAVAILABLE',
  })
  add(@CurrentUser() user: AuthUser, @Body() body: AddCartItemDto): Promise<CartDto> {
    return this.cart.addItem(user.id, body.productId, body.quantity);
  }

  @Put('items/:productId')
  @ApiParam(PRODUCT_ID_PARAM)
  @ApiOkResponse({ type: CartDto, description: 'The line holds exactly this quantity; 0 removes it' })
  @ApiErrors({
    400: 'VALIDATION_FAILED, INVALID_PARAMETER, CART_FULL (over 100 lines)',
    401: 'UNAUTHENTICATED',
    404: 'PRODUCT_NOT_FOUND (unknown or inactive; not checked for 0)',
    409: 'INSUFFICIENT_STOCK',
    503: 'CART_UNAVAILABLE',
  })
  set(
    @CurrentUser() user: AuthUser,
    @Param('productId', IdParamPipe) productId: number,
    @Body() body: SetCartItemDto,
  ): Promise<CartDto> {
    return this.cart.setItem(user.id, productId, body.quantity);
  }

  @Delete('items/:productId')
  @ApiParam(PRODUCT_ID_PARAM)
  @ApiOkResponse({ type: CartDto, description: 'The line is gone (also when the cart did not hold it)' })
  @ApiErrors({ 400: 'INVALID_PARAMETER', 401: 'UNAUTHENTICATED', 503: 'CART_UNAVAILABLE' })
  remove(@CurrentUser() user: AuthUser, @Param('productId', IdParamPipe) productId: number): Promise<CartDto> {
    return this.cart.removeItem(user.id, productId);
  }

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The cart is empty' })
  @ApiErrors({ 401: 'UNAUTHENTICATED', 503: 'CART_UNAVAILABLE' })
  clear(@CurrentUser() user: AuthUser): Promise<void> {
    return this.cart.clear(user.id);
  }
}
