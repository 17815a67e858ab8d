import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CartModule } from '../cart/cart.module';
import { ProductsModule } from '../products/products.module';
import { Checkout } from './checkout';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { IdempotentRequests } from './idempotent-requests.service';
import { OrderEffects } from './order-effects';
import { OrderEntity, OrderEventEntity, OrderItemEntity } from './order.entity';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { PaymentTimeoutJob } from './payment-timeout.job';
import { WebhookSignatureGuard } from './webhooks/webhook-signature.guard';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhookInboxRepository } from './webhooks/webhook-inbox.repository';
import { WebhooksService } from './webhooks/webhooks.service';

@Module({
  imports: [TypeOrmModule.forFeature([OrderEntity, OrderItemEntity, OrderEventEntity]), CartModule, ProductsModule],
  controllers: [OrdersController, WebhooksController],
  providers: [
    OrdersService,
    OrdersRepository,
    Checkout,
    OrderEffects,
    IdempotentRequests,
    IdempotencyKeysRepository,
    PaymentTimeoutJob,
    WebhooksService,
    WebhookInboxRepository,
    WebhookSignatureGuard,
  ],
  // For the storefront's pages, which check out through the same service.
  exports: [OrdersService],
})
export class OrdersModule {}
