import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { IntQuery, IsoDateTimeQuery, MAX_INT32, OptionalField } from '../../common/http/dto-fields';
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
  @OptionalField()
  @IsIn(PRODUCT_STATUSES)
  status: ProductStatus = 'active';

  @ApiPropertyOptional({ maxLength: 200, description: 'Case-insensitive substring of the name', example: '键盘' })
  @OptionalField()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IntQuery({ min: 0, max: MAX_INT32, description: 'Inclusive, minor units' })
  minPrice?: number;

  @IntQuery({ min: 0, max: MAX_INT32, description: 'Inclusive, minor units' })
  maxPrice?: number;

  @IsoDateTimeQuery({
    description:
      'Products created after it: an ISO-8601 date (`2026-01-01`, midnight UTC) or date-time with `Z` or an offset',
    example: '2026-01-01',
  })
  createdAfter?: string;

  @ApiPropertyOptional({ enum: PRODUCT_SORTS, default: 'sales:desc', description: 'Ties are broken by id ascending' })
  @OptionalField()
  @IsIn(PRODUCT_SORTS)
  sort: ProductSort = 'sales:desc';
}
