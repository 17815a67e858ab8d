import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Public, Roles } from '../common/auth-context/auth.decorators';
import { Cached } from '../cache/cached.decorator';
import { ApiErrors } from '../common/http/api-errors.decorator';
import type { HttpResponse } from '../common/http/http-message';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { CreateProductDto, UpdateProductDto } from './dto/create-product.dto';
import { ListProductsQuery } from './dto/list-products.query';
import { ProductDto, ProductPageDto } from './dto/product.dto';
import { CACHED_PRODUCT, CACHED_PRODUCT_LIST } from './products.cache';
import { ProductsService } from './products.service';

@ApiTags('products')
@Controller('v1/products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Public()
  @Get()
  @Cached(CACHED_PRODUCT_LIST)
  @ApiOkResponse({ type: ProductPageDto })
  @ApiErrors({ 400: 'VALIDATION_FAILED (unknown parameter or bad value)' })
  list(@Query() query: ListProductsQuery): Promise<ProductPageDto> {
    return this.products.list(query);
  }

  @Public()
  @Get(':id')
  @Cached(CACHED_PRODUCT)
  @ApiParam({ name: 'id', type: Number, example: 1 })
  @ApiOkResponse({ type: ProductDto })
  @ApiErrors({ 400: 'INVALID_PARAMETER', 404: 'PRODUCT_NOT_FOUND' })
  findOne(@Param('id', IdParamPipe) id: number): Promise<ProductDto> {
    return this.products.findOne(id);
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Post()
  @ApiCreatedResponse({ type: ProductDto, description: 'Created; `Location` names the new product' })
  @ApiErrors({ 400: 'VALIDATION_FAILED', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 409: 'SKU_TAKEN' })
  async create(@Body() body: CreateProductDto, @Res({ passthrough: true }) res: HttpResponse): Promise<ProductDto> {
    const product = await this.products.create(body);
    res.header('Location', `/v1/products/${product.id}`);
    return product;
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Patch(':id')
  @ApiParam({ name: 'id', type: Number, example: 1 })
  @ApiOkResponse({ type: ProductDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED, INVALID_PARAMETER',
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'PRODUCT_NOT_FOUND',
    409: 'SKU_TAKEN',
  })
  update(@Param('id', IdParamPipe) id: number, @Body() body: UpdateProductDto): Promise<ProductDto> {
    return this.products.update(id, body);
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', type: Number, example: 1 })
  @ApiNoContentResponse({ description: 'Deleted; past orders keep their snapshot' })
  @ApiErrors({ 400: 'INVALID_PARAMETER', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'PRODUCT_NOT_FOUND' })
  remove(@Param('id', IdParamPipe) id: number): Promise<void> {
    return this.products.remove(id);
  }
}
