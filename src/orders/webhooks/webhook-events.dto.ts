import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { IntField } from '../../common/http/dto-fields';

/** What every provider event carries: its own id (repeats change nothing) and the order it is about. */
class WebhookEventDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 255,
    example: 'evt_01J9Z3',
    description: 'Repeats of one eventId change nothing',
  })
  @IsString()
  @Length(1, 255)
  eventId: string;

  @ApiProperty({ minLength: 1, maxLength: 32, example: '20261123221530482913' })
  @IsString()
  @Length(1, 32)
  orderSn: string;
}

export class PaymentEventDto extends WebhookEventDto {
  @ApiProperty({ enum: ['succeeded', 'failed'] })
  @IsIn(['succeeded', 'failed'])
  status: 'succeeded' | 'failed';

  @IntField({
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    example: 39800,
    description: 'Minor units; must equal the order total',
  })
  amount: number;
}

export class LogisticsEventDto extends WebhookEventDto {
  @ApiProperty({ enum: ['delivered'] })
  @IsIn(['delivered'])
  status: 'delivered';
}

export class DuplicateEventDto {
  @ApiProperty({ enum: [true], example: true })
  duplicate: true;
}
