import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { CacheModule } from './cache/cache.module';
import { CartModule } from './cart/cart.module';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter';
import { RequestTimeoutInterceptor } from './common/http/request-timeout.interceptor';
import { createValidationPipe } from './common/http/validation.pipe';
import type { AppConfig } from './config/configuration';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { NatsModule } from './messaging/nats.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { RedisModule } from './redis/redis.module';
import { StorefrontModule } from './storefront/storefront.module';

/**
 * The whole service over one configuration, read once by `loadConfiguration` and handed
 * in: `AppModule.forRoot(config)`. Every module reads it through `ConfigService`.
 */
@Module({
  imports: [
    LoggingModule,
    MetricsModule,
    DatabaseModule,
    RedisModule,
    NatsModule,
    CacheModule,
    AuthModule,
    ProductsModule,
    CartModule,
    OrdersModule,
    StorefrontModule,
    HealthModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: RequestTimeoutInterceptor },
  ],
})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] })],
    };
  }
}
