import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../common/auth-context/auth.decorators';
import type { AuthUser } from '../common/auth-context/auth-user';
import {
  ApiErrors,
  FORBIDDEN,
  headerRef,
  INVALID_PARAMETER,
  INVALID_QUERY,
  PAGE_TOO_DEEP,
  UNAUTHENTICATED,
  VALIDATION_FAILED,
} from '../common/http/api-errors.decorator';
import { JSON_CONTENT_TYPE, type HttpRequest, type HttpResponse } from '../common/http/http-message';
import { ApiIdParam, IdParamPipe } from '../common/http/id-param.pipe';
import { requestIdOf } from '../common/http/request-id';
import { ORDER_EVENT_MODELS, ORDER_EVENT_SCHEMA, type OrderEventDto } from './dto/order-event.dto';
import { CreateOrderDto, ListOrdersQuery, ShipOrderDto } from './dto/order-requests.dto';
import { OrderDto, OrderPageDto } from './dto/order.dto';
import { parseIdempotencyKey } from './idempotency';
import { OrdersService } from './orders.service';

const NOT_FOUND = { ORDER_NOT_FOUND: 'Order 17 does not exist' };
const ILLEGAL = (from: string, action: string) => ({ ILLEGAL_TRANSITION: `A ${from} order cannot be ${action}` });
/** A stored answer replayed for a repeated Idempotency-Key says so. */
const REPLAYED = { 'Idempotent-Replayed': headerRef('Idempotent-Replayed') };

@ApiTags('orders')
@ApiExtraModels(...ORDER_EVENT_MODELS)
@ApiErrors({ 401: UNAUTHENTICATED })
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Roles('customer')
  @Post()
  @ApiOperation({
    summary: 'Place an order',
    description:
      '`{}` checks out the whole cart; `{items}` buys those lines directly. Stock, sales and the order commit ' +
      'in one transaction (no partial order); the lines ordered then leave the cart. With an `Idempotency-Key`, ' +
      'the same key and body within 24 h answers the first answer again (also a 4xx such as 409 ' +
      'INSUFFICIENT_STOCK) with `Idempotent-Replayed: true`, and never places a second order.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: 255 },
    description:
      'Optional, 1–255 characters. The same key and body within 24 h returns the first answer again — ' +
      'the same status and the same body bytes, with `Idempotent-Replayed: true` — and never a second order. ' +
      'A 4xx the checkout decided (409 INSUFFICIENT_STOCK, 404 PRODUCT_NOT_FOUND, 400 EMPTY_CART) is replayed ' +
      'too, its `requestId` being the first request’s; a request refused before it ran (400 VALIDATION_FAILED, ' +
      '401, 403), 409 IDEMPOTENCY_KEY_IN_FLIGHT, 422, 429 and 5xx are not stored, so the key stays usable. ' +
      'If the process running a request dies, its key is usable again within REQUEST_TIMEOUT_MS + 5 s.',
  })
  @ApiCreatedResponse({ type: OrderDto, description: 'Created; `Location` names the new order', headers: REPLAYED })
  @ApiErrors(
    {
      400: {
        EMPTY_CART: 'There is nothing to order: the cart is empty',
        ...VALIDATION_FAILED,
        INVALID_IDEMPOTENCY_KEY: 'Idempotency-Key must be 1–255 characters',
      },
      403: { FORBIDDEN: 'Only customers place orders' },
      404: { PRODUCT_NOT_FOUND: 'Product 7 does not exist' },
      409: {
        INSUFFICIENT_STOCK: 'Only 2 left of product 7',
        IDEMPOTENCY_KEY_IN_FLIGHT: 'A request with this Idempotency-Key is still being processed',
      },
      422: { IDEMPOTENCY_KEY_REUSED: 'This Idempotency-Key was used with a different request body' },
    },
    { headers: REPLAYED },
  )
  async create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateOrderDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    const answer = await this.orders.create(user, body, {
      idempotencyKey: parseIdempotencyKey(idempotencyKey),
      requestId: requestIdOf(req),
    });
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) {
      res.header(name, value);
    }
    if (answer.replayed) {
      res.header('Idempotent-Replayed', 'true');
    }
    // The stored text as is (Express sends a string with a JSON type unchanged).
    res.header('Content-Type', JSON_CONTENT_TYPE);
    return answer.json;
  }

  @Get()
  @ApiOperation({
    summary: 'List orders',
    description:
      'Newest first. A customer sees their own orders; an admin sees all. An offset page starting at row 10000 ' +
      'or later is 400 `PAGE_TOO_DEEP`.',
  })
  @ApiOkResponse({ type: OrderPageDto, description: 'Newest first; your own orders (an admin sees all)' })
  @ApiErrors({ 400: { ...INVALID_QUERY, ...PAGE_TOO_DEEP } })
  list(@CurrentUser() user: AuthUser, @Query() query: ListOrdersQuery): Promise<OrderPageDto> {
    return this.orders.list(user, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an order', description: 'Its owner or an admin; 404 for anyone else.' })
  @ApiIdParam('id', 17)
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors({ 400: INVALID_PARAMETER, 404: NOT_FOUND })
  findOne(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<OrderDto> {
    return this.orders.findOne(user, id);
  }

  @Get(':id/events')
  @ApiOperation({
    summary: 'An order’s history',
    description: 'Every change of the order, oldest first; `type` tells the shape of `data`.',
  })
  @ApiIdParam('id', 17)
  @ApiOkResponse({
    description: 'The order history, oldest first',
    schema: { type: 'array', items: ORDER_EVENT_SCHEMA },
  })
  @ApiErrors({ 400: INVALID_PARAMETER, 404: NOT_FOUND })
  events(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<OrderEventDto[]> {
    return this.orders.eventsOf(user, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel an order',
    description: 'Its owner or an admin, while it is pending. Stock and sales are restored.',
  })
  @ApiIdParam('id', 17)
  @ApiOkResponse({ type: OrderDto, description: 'Cancelled; stock and sales are restored' })
  @ApiErrors({ 400: INVALID_PARAMETER, 404: NOT_FOUND, 409: ILLEGAL('paid', 'cancelled') })
  cancel(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<OrderDto> {
    const reason = user.role === 'admin' ? 'admin' : 'customer';
    return this.orders.transition({ id }, 'cancel', { visibleTo: user, data: { reason } });
  }

  @Roles('admin')
  @Post(':id/ship')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ship an order',
    description: 'Admin only, for a paid order; carrier and tracking number are optional.',
  })
  @ApiIdParam('id', 17)
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors({
    400: { ...VALIDATION_FAILED, ...INVALID_PARAMETER },
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: ILLEGAL('pending', 'shipped'),
  })
  ship(@Param('id', IdParamPipe) id: number, @Body() body: ShipOrderDto): Promise<OrderDto> {
    return this.orders.transition({ id }, 'ship', { data: { ...body } });
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete an order', description: 'Its owner or an admin, once it has shipped.' })
  @ApiIdParam('id', 17)
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors({ 400: INVALID_PARAMETER, 404: NOT_FOUND, 409: ILLEGAL('paid', 'completed') })
  complete(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<OrderDto> {
    return this.orders.transition({ id }, 'complete', { visibleTo: user });
  }
}
