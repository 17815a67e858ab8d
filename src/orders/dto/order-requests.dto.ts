import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '../../common/http/page.query';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export class OrderLineRequestDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 2_147_483_647, example: 1 })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  productId: number;

  @ApiProperty({ type: 'integer', format: 'int32', example: 2, minimum: 1, maximum: 999 })
  @IsInt()
  @Min(1)
  @Max(999)
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
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => OrderLineRequestDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  items?: OrderLineRequestDto[];
}

export class ShipOrderDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'SF Express' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  carrier?: string;

  @ApiPropertyOptional({ maxLength: 100, example: 'SF1234567890' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  trackingNo?: string;
}

export class ListOrdersQuery extends PageQuery {}
