import { Global, Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { CacheInterceptor } from './cache.interceptor';
import { CacheService } from './cache.service';
import { HotReads } from './hot-reads';

@Global()
@Module({
  imports: [RateLimitModule],
  providers: [CacheService, CacheInterceptor, HotReads],
  exports: [CacheService, CacheInterceptor, HotReads],
})
export class CacheModule {}
