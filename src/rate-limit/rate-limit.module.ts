import { Module } from '@nestjs/common';
import { ConcurrentLoads } from './concurrent-loads';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter';

@Module({
  providers: [RateLimiter, RateLimitGuard, ConcurrentLoads],
  exports: [RateLimiter, RateLimitGuard, ConcurrentLoads],
})
export class RateLimitModule {}
