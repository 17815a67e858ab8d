import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import { IntField, MAX_INT32, ObjectArrayField, OptionalField } from '../../common/http/dto-fields';
import { PageQuery } from '../../common/http/page.query';

export class OrderLineRequestDto {
  @IntField({ min: 1, max: MAX_INT32, example: 1 })
  productId: number;

  @IntField({ min: 1, max: 999, example: 2 })
  quantity: number;
}

/** `{}` checks out the whole cart; `{items}` buys those lines directly. */
export class CreateOrderDto {
  @ApiPropertyOptional({
    type: [OrderLineRequestDto],
    minItems: 1,
    maxItems: 100,
    description: 'Omit to check out the whole cart',
  })
  @OptionalField()
  @ObjectArrayField(() => OrderLineRequestDto, { min: 1, max: 100 })
  items?: OrderLineRequestDto[];
}

export class ShipOrderDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'SF Express' })
  @OptionalField()
  @IsString()
  @Length(1, 100)
  carrier?: string;

  @ApiPropertyOptional({ maxLength: 100, example: 'SF1234567890' })
  @OptionalField()
  @IsString()
  @MaxLength(100)
  trackingNo?: string;
}

export class ListOrdersQuery extends PageQuery {}
