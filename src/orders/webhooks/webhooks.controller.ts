import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Public } from '../../common/auth-context/auth.decorators';
import { ApiErrors, VALIDATION_FAILED } from '../../common/http/api-errors.decorator';
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
  schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' },
  description: '`sha256=<hex HMAC-SHA256 of the raw body, keyed with WEBHOOK_SECRET>`',
})
@ApiErrors({
  400: VALIDATION_FAILED,
  401: { INVALID_SIGNATURE: 'X-Signature is missing or does not match the body' },
  404: { ORDER_NOT_FOUND: 'Order 20261123221530482913 does not exist' },
})
@Public()
@UseGuards(WebhookSignatureGuard)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('payments')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Payment provider event',
    description:
      '`succeeded` with `amount` equal to the order total moves a pending order to paid; `failed` cancels it ' +
      '(`payment_failed`). A repeated `eventId` answers `{duplicate: true}` and changes nothing.',
  })
  @HANDLED
  @ApiErrors({
    409: {
      AMOUNT_MISMATCH: 'The payment of 100 does not match the order total of 39800',
      ILLEGAL_TRANSITION: 'A cancelled order cannot be paid',
    },
  })
  payments(@Body() event: PaymentEventDto): Promise<OrderDto | DuplicateEventDto> {
    return this.webhooks.payment(event);
  }

  @Post('logistics')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Logistics provider event',
    description:
      '`delivered` moves a shipped order to completed. A repeated `eventId` answers `{duplicate: true}` and changes nothing.',
  })
  @HANDLED
  @ApiErrors({ 409: { ILLEGAL_TRANSITION: 'A paid order cannot be completed' } })
  logistics(@Body() event: LogisticsEventDto): Promise<OrderDto | DuplicateEventDto> {
    return this.webhooks.logistics(event);
  }
}
