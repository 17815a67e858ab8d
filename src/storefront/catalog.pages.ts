import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { CacheEntry } from '../cache/cache.service';
import { ResponseCache } from '../cache/response-cache';
import type { HttpRequest, HttpResponse } from '../common/http/http-message';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { ListProductsQuery, PRODUCT_SORTS } from '../products/dto/list-products.query';
import { ProductsService } from '../products/products.service';
import { ClientKey } from '../rate-limit/client-key';
import { catalogPager } from './catalog-links';
import { Form } from './form-fields.pipe';
import { page } from './responses';
import { Shop, type ShopContext } from './shop-context';
import { StorefrontPages } from './storefront-pages.decorator';
import { Views } from './views';
import { Visitors } from './visitors';

const SORT_LABELS: Record<(typeof PRODUCT_SORTS)[number], string> = {
  'sales:desc': 'Best selling',
  'price:asc': 'Price: low to high',
  'price:desc': 'Price: high to low',
  'createdAt:desc': 'Newest',
};

/**
 * The catalog and product pages, read through the same caches as `GET /v1/products[/:id]`.
 * An anonymous visitor's page is offered to the {@link ResponseCache} with the entry it was
 * rendered from, so repeats are answered in front of the framework while that entry holds.
 */
@StorefrontPages()
@Controller()
export class CatalogPages {
  constructor(
    private readonly products: ProductsService,
    @Inject(Views) private readonly views: Views,
    @Inject(Visitors) private readonly visitors: Visitors,
    private readonly responses: ResponseCache,
  ) {}

  /**
   * `GET /v1/products`'s parameters, validated by its own DTO, and refused as it refuses
   * them: another status than active is the admin's (a 403 page for anyone else).
   */
  @Get()
  async catalog(
    @Shop() shop: ShopContext,
    @Query(Form(ListProductsQuery)) query: Readonly<ListProductsQuery>,
    @ClientKey() client: string,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    const { value: result, entry } = await this.products.listCachedEntry(query as ListProductsQuery, {
      viewer: shop.user,
      client,
    });
    const sorts = PRODUCT_SORTS.map((value) => ({ value, label: SORT_LABELS[value] }));
    const pager = catalogPager(query as ListProductsQuery, result.total);
    const html = this.views.render('catalog', { shop, query, result, sorts, pager });
    this.offer(req, res, entry, html, shop);
    return page(res, html);
  }

  @Get('products/:id')
  async product(
    @Shop() shop: ShopContext,
    @Param('id', IdParamPipe) id: number,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    const { value: product, entry } = await this.products.findVisibleEntry(id, shop.user);
    const html = this.views.render('product', { shop, product });
    this.offer(req, res, entry, html, shop);
    return page(res, html);
  }

  private offer(req: HttpRequest, res: HttpResponse, entry: CacheEntry | undefined, html: string, shop: ShopContext) {
    if (entry) {
      this.responses.offer(req, res, entry, {
        html,
        token: shop.csrfToken,
        visitors: this.visitors,
      });
    }
  }
}
