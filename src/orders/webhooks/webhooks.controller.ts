import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Public } from '../../common/auth-context/auth.decorators';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { OrderDto } from '../dto/order.dto';
import { WebhookSignatureGuard } from './webhook-signature.guard';
import { DuplicateEventDto, LogisticsEventDto, PaymentEventDto } from './webhook-events.dto';
import { WebhooksService } from './webhooks.service';

const HANDLED = ApiOkResponse({
  description: 'The order after the event, or `{duplicate: true}` for an event id seen before',
  schema: { oneOf: [{ $ref: getSchemaPath(OrderDto) }, { $ref: getSchemaPath(DuplicateEventDto) }] },
});

@ApiTags('webhooks')
@ApiExtraModels(OrderDto, DuplicateEventDto)
@ApiHeader({
  name: 'X-Signature',
  required: true,
  description: '`sha256=<hex HMAC-SHA256 of the raw body, keyed with WEBHOOK_SECRET>`',
})
@ApiErrors({ 400: 'VALIDATION_FAILED', 401: 'INVALID_SIGNATURE', 404: 'ORDER_NOT_FOUND' })
@Public()
@UseGuards(WebhookSignatureGuard)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('payments')
  @HttpCode(200)
  @HANDLED
  @ApiErrors({ 409: 'AMOUNT_MISMATCH, ILLEGAL_TRANSITION' })
  payments(@Body() event: PaymentEventDto): Promise<OrderDto | DuplicateEventDto> {
    return this.webhooks.payment(event);
  }

  @Post('logistics')
  @HttpCode(200)
  @HANDLED
  @ApiErrors({ 409: 'ILLEGAL_TRANSITION' })
  logistics(@Body() event: LogisticsEventDto): Promise<OrderDto | DuplicateEventDto> {
    return this.webhooks.logistics(event);
  }
}
