import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_LINE_QUANTITY } from '../cart.limits';

const MAX_ID = 2_147_483_647;

export class AddCartItemDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 7, minimum: 1, maximum: MAX_ID })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  productId: number;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 2,
    minimum: 1,
    maximum: MAX_LINE_QUANTITY,
    description: `Added to what the line holds; the line may hold at most ${MAX_LINE_QUANTITY}`,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

export class SetCartItemDto {
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 3,
    minimum: 0,
    maximum: MAX_LINE_QUANTITY,
    description: '0 removes the line',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_LINE_QUANTITY)
  quantity: number;
}
