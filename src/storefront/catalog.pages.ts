import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { HttpResponse } from '../common/http/http-message';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { ListProductsQuery, PRODUCT_SORTS } from '../products/dto/list-products.query';
import { ProductNotFoundError } from '../products/products.errors';
import { ProductsService } from '../products/products.service';
import { catalogPager } from './catalog-links';
import { Form } from './form-fields.pipe';
import { page } from './responses';
import { Shop, type ShopContext } from './shop-context';
import { StorefrontPages } from './storefront-pages.decorator';
import { Views } from './views';

const SORT_LABELS: Record<(typeof PRODUCT_SORTS)[number], string> = {
  'sales:desc': 'Best selling',
  'price:asc': 'Price: low to high',
  'price:desc': 'Price: high to low',
  'createdAt:desc': 'Newest',
};

/** The catalog and product pages, read through the same caches as `GET /v1/products[/:id]`. */
@StorefrontPages()
@Controller()
export class CatalogPages {
  constructor(
    private readonly products: ProductsService,
    @Inject(Views) private readonly views: Views,
  ) {}

  /** `GET /v1/products`'s parameters, validated by its own DTO. */
  @Get()
  async catalog(
    @Shop() shop: ShopContext,
    @Query(Form(ListProductsQuery)) query: Readonly<ListProductsQuery>,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    const result = await this.products.listCached(query as ListProductsQuery);
    const sorts = PRODUCT_SORTS.map((value) => ({ value, label: SORT_LABELS[value] }));
    const pager = catalogPager(query as ListProductsQuery, result.total);
    return page(res, this.views.render('catalog', { shop, query, result, sorts, pager }));
  }

  @Get('products/:id')
  async product(
    @Shop() shop: ShopContext,
    @Param('id', IdParamPipe) id: number,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    const product = await this.products.findCached(id);
    if (!product || product.status !== 'active') {
      throw new ProductNotFoundError(id);
    }
    return page(res, this.views.render('product', { shop, product }));
  }
}
