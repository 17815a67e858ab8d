import { ApiProperty } from '@nestjs/swagger';

export class CartItemDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, example: 7 })
  productId: number;

  @ApiProperty({ example: '机械键盘', description: "The product's current name" })
  name: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 0,
    example: 89900,
    description: "The product's current price, minor units (fen / cents)",
  })
  unitPrice: number;

  @ApiProperty({ type: 'integer', format: 'int32', example: 2, minimum: 1, maximum: 999 })
  quantity: number;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    example: 179800,
    description: 'unitPrice × quantity, minor units',
  })
  subtotal: number;
}

export class CartDto {
  @ApiProperty({
    type: [CartItemDto],
    description: 'By product id; products deleted or made inactive since they were added are left out',
  })
  items: CartItemDto[];

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, example: 2, description: 'Sum of the quantities' })
  totalQuantity: number;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    example: 179800,
    description: 'Sum of the subtotals, minor units',
  })
  total: number;
}
