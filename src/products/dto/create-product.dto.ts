import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { PRODUCT_STATUSES, type ProductStatus } from '../product.entity';

const MAX_INT = 2_147_483_647;

export class CreateProductDto {
  @ApiProperty({ example: 'KB-MECH-87', minLength: 1, maxLength: 64 })
  @IsString()
  @Length(1, 64)
  sku: string;

  @ApiProperty({ example: '机械键盘', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ example: '87-key mechanical keyboard', maxLength: 10_000, default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 89900,
    minimum: 0,
    maximum: MAX_INT,
    description: 'Minor units (fen / cents), an integer',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_INT)
  price: number;

  @ApiProperty({ type: 'integer', format: 'int32', example: 50, minimum: 0, maximum: MAX_INT })
  @IsInt()
  @Min(0)
  @Max(MAX_INT)
  stock: number;

  @ApiPropertyOptional({ enum: PRODUCT_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(PRODUCT_STATUSES)
  status?: ProductStatus;
}

/** Every field optional; only the fields sent change. */
export class UpdateProductDto extends PartialType(CreateProductDto) {}
