import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { AppConfig } from '../config/configuration';
import { connectWithin, createRedisClient } from './redis-client.factory';
import { RedisLock } from './redis-lock';
import { RedisPubSub } from './redis-pubsub.service';
import { REDIS } from './redis.constants';

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => {
        const { url, keyPrefix } = config.get('redis', { infer: true });
        return createRedisClient(url, keyPrefix);
      },
    },
    RedisPubSub,
    RedisLock,
  ],
  exports: [REDIS, RedisPubSub, RedisLock],
})
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(REDIS) private readonly client: Redis,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.get('redis', { infer: true }).url) {
      this.logger.warn('REDIS_URL is not set: using in-process stand-ins for Redis (single instance only)');
      return;
    }
    // Errors are logged once per outage rather than once per failed command.
    let down = false;
    this.client.on('error', (error: Error) => {
      if (!down) {
        down = true;
        this.logger.error(`Redis unreachable: ${error.message}`);
      }
    });
    this.client.on('ready', () => {
      if (down) {
        down = false;
        this.logger.log('Redis is reachable again');
      }
    });
    if (!(await connectWithin(this.client, 3_000))) {
      this.logger.warn('Redis did not answer at start-up; continuing without it until it does');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
