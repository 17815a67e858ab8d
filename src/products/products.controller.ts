import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth-context/auth-user';
import { Caller, Public, Roles } from '../common/auth-context/auth.decorators';
import { Cached } from '../cache/cached.decorator';
import {
  ApiErrors,
  FORBIDDEN,
  INVALID_PARAMETER,
  INVALID_QUERY,
  PAGE_TOO_DEEP,
  UNAUTHENTICATED,
  VALIDATION_FAILED,
} from '../common/http/api-errors.decorator';
import type { HttpResponse } from '../common/http/http-message';
import { ApiIdParam, IdParamPipe } from '../common/http/id-param.pipe';
import { CreateProductDto, UpdateProductDto } from './dto/create-product.dto';
import { ListProductsQuery } from './dto/list-products.query';
import { ProductDto, ProductPageDto } from './dto/product.dto';
import { CACHED_PRODUCT, CACHED_PRODUCT_LIST } from './products.cache';
import { ClientKey } from '../rate-limit/client-key';
import { ProductsService } from './products.service';

const NOT_FOUND = { PRODUCT_NOT_FOUND: 'Product 7 does not exist' };
const SKU_TAKEN = { SKU_TAKEN: 'Another product already has the sku KB-MECH-87' };

@ApiTags('products')
@Controller('v1/products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Public()
  @Get()
  @Cached(CACHED_PRODUCT_LIST)
  @ApiOperation({
    summary: 'List products',
    description:
      'One page of the catalog, filtered and sorted; ties are broken by id ascending so pages never overlap. ' +
      'An unknown parameter or a bad value is 400; an offset page starting at row 10000 or later is 400 ' +
      '`PAGE_TOO_DEEP`. `status` other than `active` is for admins only (403 otherwise). ' +
      'Cached: L1 about 100 ms, Redis 5 min; a write is visible in the next answer.',
  })
  @ApiOkResponse({ type: ProductPageDto })
  @ApiErrors({
    400: { ...INVALID_QUERY, ...PAGE_TOO_DEEP },
    403: { FORBIDDEN: 'Only an admin may list products of status inactive' },
  })
  list(
    @Query() query: ListProductsQuery,
    @Caller() viewer: AuthUser | undefined,
    @ClientKey() client: string,
  ): Promise<ProductPageDto> {
    return this.products.list(query, { viewer, client });
  }

  @Public()
  @Get(':id')
  @Cached(CACHED_PRODUCT)
  @ApiOperation({
    summary: 'Get a product',
    description: 'An inactive product is 404 to everyone but an admin. Cached like the list.',
  })
  @ApiIdParam('id', 1)
  @ApiOkResponse({ type: ProductDto })
  @ApiErrors({ 400: INVALID_PARAMETER, 404: NOT_FOUND })
  findOne(@Param('id', IdParamPipe) id: number): Promise<ProductDto> {
    return this.products.findOne(id);
  }

  @Roles('admin')
  @Post()
  @ApiOperation({ summary: 'Create a product', description: 'Admin only. `Location` is `/v1/products/{id}`.' })
  @ApiCreatedResponse({ type: ProductDto, description: 'Created; `Location` names the new product' })
  @ApiErrors({ 400: VALIDATION_FAILED, 401: UNAUTHENTICATED, 403: FORBIDDEN, 409: SKU_TAKEN })
  async create(@Body() body: CreateProductDto, @Res({ passthrough: true }) res: HttpResponse): Promise<ProductDto> {
    const product = await this.products.create(body);
    res.header('Location', `/v1/products/${product.id}`);
    return product;
  }

  @Roles('admin')
  @Patch(':id')
  @ApiOperation({
    summary: 'Update a product',
    description: 'Admin only. Changes only the fields sent; every instance answers the new data afterwards.',
  })
  @ApiIdParam('id', 1)
  @ApiOkResponse({ type: ProductDto })
  @ApiErrors({
    400: { ...VALIDATION_FAILED, ...INVALID_PARAMETER },
    401: UNAUTHENTICATED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: SKU_TAKEN,
  })
  update(@Param('id', IdParamPipe) id: number, @Body() body: UpdateProductDto): Promise<ProductDto> {
    return this.products.update(id, body);
  }

  @Roles('admin')
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a product',
    description: 'Admin only. Afterwards the product answers 404; past orders keep their snapshot of it.',
  })
  @ApiIdParam('id', 1)
  @ApiNoContentResponse({ description: 'Deleted; past orders keep their snapshot' })
  @ApiErrors({ 400: INVALID_PARAMETER, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND })
  remove(@Param('id', IdParamPipe) id: number): Promise<void> {
    return this.products.remove(id);
  }
}
