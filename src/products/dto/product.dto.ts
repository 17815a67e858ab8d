import { ApiProperty } from '@nestjs/swagger';
import { PRODUCT_STATUSES, ProductEntity, type ProductStatus } from '../product.entity';

export class ProductDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, example: 1 })
  id: number;

  @ApiProperty({ example: 'EARBUDS-01' })
  sku: string;

  @ApiProperty({ example: '无线耳机' })
  name: string;

  @ApiProperty({ example: 'Bluetooth earbuds with a charging case' })
  description: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    example: 19900,
    description: 'Minor units (fen / cents)',
  })
  price: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, example: 120 })
  stock: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, example: 3400 })
  sales: number;

  @ApiProperty({ enum: PRODUCT_STATUSES, example: 'active' })
  status: ProductStatus;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T08:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T08:00:00.000Z' })
  updatedAt: string;

  static from(entity: ProductEntity): ProductDto {
    return {
      id: entity.id,
      sku: entity.sku,
      name: entity.name,
      description: entity.description,
      price: entity.price,
      stock: entity.stock,
      sales: entity.sales,
      status: entity.status,
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}

export class ProductPageDto {
  @ApiProperty({ type: [ProductDto] })
  items: ProductDto[];

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, example: 1 })
  page: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 100, example: 20 })
  pageSize: number;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    example: 32,
    description: 'Products matching the filters, over all pages',
  })
  total: number;
}
