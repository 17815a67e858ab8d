import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { CacheModule } from './cache/cache.module';
import { CartModule } from './cart/cart.module';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter';
import { ERROR_MAPPERS, type ErrorMapper } from './common/http/error-mappers';
import { RequestTimeoutInterceptor } from './common/http/request-timeout.interceptor';
import { createValidationPipe } from './common/http/validation.pipe';
import type { AppConfig } from './config/configuration';
import { DATABASE_ERROR_MAPPER } from './database/database-errors';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { NatsModule } from './messaging/nats.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { StorefrontModule } from './storefront/storefront.module';

/**
 * The layers' error mappers, asked in this order by the exception filter (and by the
 * storefront's, which extends it): global, so any module's filter can be given them.
 */
@Global()
@Module({
  providers: [
    {
      provide: ERROR_MAPPERS,
      inject: [DATABASE_ERROR_MAPPER],
      useFactory: (...mappers: ErrorMapper[]): ErrorMapper[] => mappers,
    },
  ],
  exports: [ERROR_MAPPERS],
})
class ErrorMappersModule {}

/**
 * The whole service over one configuration, read once by `loadConfiguration` and handed
 * in: `AppModule.forRoot(config)`. Every module reads it through `ConfigService`.
 *
 * The composition root: the one place that registers what applies to every request
 * (guards in their order, the filter and the layers' error mappers, the pipe, the
 * interceptor). Modules provide them; none registers itself globally.
 */
@Module({
  imports: [
    ErrorMappersModule,
    LoggingModule,
    MetricsModule,
    DatabaseModule,
    RedisModule,
    NatsModule,
    CacheModule,
    RateLimitModule,
    AuthModule,
    ProductsModule,
    CartModule,
    OrdersModule,
    StorefrontModule,
    HealthModule,
  ],
  providers: [
    // Global guards run in this order: identify the caller, then count its requests.
    { provide: APP_GUARD, useExisting: AuthGuard },
    { provide: APP_GUARD, useExisting: RateLimitGuard },
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
