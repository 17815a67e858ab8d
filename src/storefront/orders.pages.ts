import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { AuthUser } from '../common/auth-context/auth-user';
import type { HttpResponse } from '../common/http/http-message';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { lastOffsetPage } from '../common/http/page.query';
import { ListOrdersQuery } from '../orders/dto/order-requests.dto';
import { OrdersService } from '../orders/orders.service';
import { Form } from './form-fields.pipe';
import { page } from './responses';
import { Shop, SignedIn, type ShopContext } from './shop-context';
import { StorefrontPages } from './storefront-pages.decorator';
import { Views } from './views';

/** The signed-in user's orders and each one's history, as `GET /v1/orders[/:id[/events]]` answer them. */
@StorefrontPages()
@Controller('orders')
export class OrderPages {
  constructor(
    private readonly orders: OrdersService,
    @Inject(Views) private readonly views: Views,
  ) {}

  @Get()
  async list(
    @Shop() shop: ShopContext,
    @SignedIn() user: AuthUser,
    @Query(Form(ListOrdersQuery)) query: Readonly<ListOrdersQuery>,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    const result = await this.orders.list(user, query as ListOrdersQuery);
    const pages = Math.min(Math.max(1, Math.ceil(result.total / result.pageSize)), lastOffsetPage(result.pageSize));
    return page(res, this.views.render('orders', { shop, result, pages }));
  }

  @Get(':id')
  async order(
    @Shop() shop: ShopContext,
    @SignedIn() user: AuthUser,
    @Param('id', IdParamPipe) id: number,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    const [order, events] = await Promise.all([this.orders.findOne(user, id), this.orders.eventsOf(user, id)]);
    return page(res, this.views.render('order', { shop, order, events }));
  }
}
