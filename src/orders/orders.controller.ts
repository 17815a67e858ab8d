import {
  applyDecorators,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../common/auth-context/auth.decorators';
import type { AuthUser } from '../common/auth-context/auth-user';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { JSON_CONTENT_TYPE, type HttpRequest, type HttpResponse } from '../common/http/http-message';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { requestIdOf } from '../common/http/request-id';
import { CreateOrderDto, ListOrdersQuery, ShipOrderDto } from './dto/order-requests.dto';
import { OrderDto, OrderEventDto, OrderPageDto } from './dto/order.dto';
import { parseIdempotencyKey } from './idempotency';
import { OrdersService } from './orders.service';

const ID = applyDecorators(
  ApiParam({ name: 'id', type: Number, example: 17 }),
  ApiErrors({ 400: 'INVALID_PARAMETER (a non-integer id)' }),
);

@ApiTags('orders')
@ApiBearerAuth()
@ApiErrors({ 401: 'UNAUTHENTICATED' })
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Roles('customer')
  @Post()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Optional, 1–255 characters. The same key and body within 24 h returns the first answer again — ' +
      'the same status and the same body bytes, with `Idempotent-Replayed: true` — and never a second order. ' +
      'A 4xx the checkout decided (409 INSUFFICIENT_STOCK, 404 PRODUCT_NOT_FOUND, 400 EMPTY_CART) is replayed ' +
      'too, its `requestId` being the first request’s; a request refused before it ran (400 VALIDATION_FAILED, ' +
      '401, 403), 409 IDEMPOTENCY_KEY_IN_FLIGHT, 422, 429 and 5xx are not stored, so the key stays usable. ' +
      'If the process running a request dies, its key is usable again within REQUEST_TIMEOUT_MS + 5 s.',
  })
  @ApiCreatedResponse({ type: OrderDto, description: 'Created; `Location` names the new order' })
  @ApiErrors({
    400: 'EMPTY_CART, VALIDATION_FAILED, INVALID_IDEMPOTENCY_KEY',
    403: 'FORBIDDEN (only customers place orders)',
    404: 'PRODUCT_NOT_FOUND',
    409: 'INSUFFICIENT_STOCK, IDEMPOTENCY_KEY_IN_FLIGHT',
    422: 'IDEMPOTENCY_KEY_REUSED',
  })
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
    // The stored text as is (both adapters send a string with a JSON type unchanged).
    res.header('Content-Type', JSON_CONTENT_TYPE);
    return answer.json;
  }

  @Get()
  @ApiOkResponse({ type: OrderPageDto, description: 'Newest first; your own orders (an admin sees all)' })
  @ApiErrors({ 400: 'VALIDATION_FAILED' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListOrdersQuery): Promise<OrderPageDto> {
    return this.orders.list(user, query);
  }

  @Get(':id')
  @ID
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors({ 404: 'ORDER_NOT_FOUND (also for anyone else’s order)' })
  findOne(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<OrderDto> {
    return this.orders.findOne(user, id);
  }

  @Get(':id/events')
  @ID
  @ApiOkResponse({ type: [OrderEventDto], description: 'The order history, oldest first' })
  @ApiErrors({ 404: 'ORDER_NOT_FOUND' })
  events(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<OrderEventDto[]> {
    return this.orders.eventsOf(user, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ID
  @ApiOkResponse({ type: OrderDto, description: 'Cancelled; stock and sales are restored' })
  @ApiErrors({ 404: 'ORDER_NOT_FOUND', 409: 'ILLEGAL_TRANSITION (only pending orders can be cancelled)' })
  cancel(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<OrderDto> {
    const reason = user.role === 'admin' ? 'admin' : 'customer';
    return this.orders.transition({ id }, 'cancel', { visibleTo: user, data: { reason } });
  }

  @Roles('admin')
  @Post(':id/ship')
  @HttpCode(200)
  @ID
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED, INVALID_PARAMETER',
    403: 'FORBIDDEN',
    404: 'ORDER_NOT_FOUND',
    409: 'ILLEGAL_TRANSITION (only paid orders ship)',
  })
  ship(@Param('id', IdParamPipe) id: number, @Body() body: ShipOrderDto): Promise<OrderDto> {
    return this.orders.transition({ id }, 'ship', { data: { ...body } });
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ID
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors({ 404: 'ORDER_NOT_FOUND', 409: 'ILLEGAL_TRANSITION (only shipped orders complete)' })
  complete(@CurrentUser() user: AuthUser, @Param('id', IdParamPipe) id: number): Promise<OrderDto> {
    return this.orders.transition({ id }, 'complete', { visibleTo: user });
  }
}
