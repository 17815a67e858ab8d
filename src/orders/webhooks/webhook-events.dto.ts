import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Max, Min } from 'class-validator';

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

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 39800,
    description: 'Minor units; must equal the order total',
  })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
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
