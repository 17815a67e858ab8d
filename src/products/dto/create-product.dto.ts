import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsString, Length, MaxLength } from 'class-validator';
import { IntField, MAX_INT32, OptionalField } from '../../common/http/dto-fields';
import { PRODUCT_STATUSES, type ProductStatus } from '../product.entity';

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
  @OptionalField()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @IntField({ min: 0, max: MAX_INT32, example: 89900, description: 'Minor units (fen / cents), an integer' })
  price: number;

  @IntField({ min: 0, max: MAX_INT32, example: 50 })
  stock: number;

  @ApiPropertyOptional({ enum: PRODUCT_STATUSES, default: 'active' })
  @OptionalField()
  @IsIn(PRODUCT_STATUSES)
  status?: ProductStatus;
}

/** Every field optional; only the fields sent change. `null` is no value for any of them. */
export class UpdateProductDto extends PartialType(CreateProductDto, { skipNullProperties: false }) {}
