import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../../common/http/page.query';
import { PRODUCT_STATUSES, type ProductStatus } from '../product.entity';

export const PRODUCT_SORTS = ['sales:desc', 'price:asc', 'price:desc', 'createdAt:desc'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export class ListProductsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: PRODUCT_STATUSES,
    default: 'active',
    description: 'Any value but `active` is for admins only (403 for everyone else)',
  })
  @IsOptional()
  @IsIn(PRODUCT_STATUSES)
  status: ProductStatus = 'active';

  @ApiPropertyOptional({ maxLength: 200, description: 'Case-insensitive substring of the name', example: '键盘' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, description: 'Inclusive, minor units' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minPrice?: number;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, description: 'Inclusive, minor units' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  maxPrice?: number;

  @ApiPropertyOptional({
    description: 'ISO-8601 date (`2026-01-01`) or date-time (`2026-01-01T08:00:00Z`); products created after it',
    example: '2026-01-01',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdAfter?: string;

  @ApiPropertyOptional({ enum: PRODUCT_SORTS, default: 'sales:desc', description: 'Ties are broken by id ascending' })
  @IsOptional()
  @IsIn(PRODUCT_SORTS)
  sort: ProductSort = 'sales:desc';
}
