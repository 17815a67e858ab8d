import { Global, Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { CacheInterceptor } from './cache.interceptor';
import { CacheService } from './cache.service';
import { ResponseCache } from './response-cache';

@Global()
@Module({
  imports: [RateLimitModule],
  providers: [CacheService, CacheInterceptor, ResponseCache],
  exports: [CacheService, CacheInterceptor, ResponseCache],
})
export class CacheModule {}
