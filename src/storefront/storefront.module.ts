import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CartModule } from '../cart/cart.module';
import { OrdersModule } from '../orders/orders.module';
import { ProductsModule } from '../products/products.module';
import { AccountPages } from './account.pages';
import { Assets } from './assets';
import { AssetsController } from './assets.controller';
import { CartPages } from './cart.pages';
import { CatalogPages } from './catalog.pages';
import { OrderPages } from './orders.pages';
import { ShopGuard } from './shop.guard';
import { StorefrontExceptionFilter } from './storefront-exception.filter';
import { readViewSources, Views } from './views';
import { Visitors } from './visitors';

/**
 * The shop's server-rendered pages. They call the same services as the JSON API, in this
 * process (never the API over HTTP), from templates compiled once when this module is built.
 */
@Module({
  imports: [AuthModule, ProductsModule, CartModule, OrdersModule],
  controllers: [CatalogPages, CartPages, OrderPages, AccountPages, AssetsController],
  providers: [
    { provide: Views, useFactory: () => new Views(readViewSources()) },
    { provide: Assets, useFactory: () => new Assets() },
    ShopGuard,
    Visitors,
    StorefrontExceptionFilter,
  ],
  exports: [Views],
})
export class StorefrontModule {}
