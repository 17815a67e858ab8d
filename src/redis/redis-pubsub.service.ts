import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { AppConfig } from '../config/configuration';
import { connectWithin } from './redis-client.factory';
import { REDIS } from './redis.constants';

type Handler = (message: string) => void;

/**
 * Broadcasts small messages to every instance (cache invalidation, token revocation).
 * Channels carry the deployment's key prefix. Subscribers are told when a connection
 * comes back after an outage, because messages sent meanwhile were lost.
 */
@Injectable()
export class RedisPubSub implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisPubSub.name);
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, Handler[]>();
  private readonly resyncHandlers: Array<() => void> = [];
  private readonly prefix: string;
  private lostConnection = false;

  constructor(
    @Inject(REDIS) private readonly client: Redis,
    config: ConfigService<AppConfig, true>,
  ) {
    this.prefix = config.get('redis', { infer: true }).keyPrefix;
    this.subscriber = client.duplicate();
    this.subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        handler(message);
      }
    });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('close', () => (this.lostConnection = true));
    this.subscriber.on('ready', () => {
      if (this.lostConnection) {
        this.lostConnection = false;
        this.logger.warn('Redis subscription restored; resynchronising local state');
        this.resyncHandlers.forEach((resync) => resync());
      }
    });
  }

  async subscribe(channel: string, handler: Handler): Promise<void> {
    const name = this.prefix + channel;
    const existing = this.handlers.get(name);
    if (existing) {
      existing.push(handler);
      return;
    }
    this.handlers.set(name, [handler]);
    await connectWithin(this.subscriber, 2_000);
    await this.subscriber.subscribe(name).catch((error: Error) => {
      // ioredis re-subscribes every channel when it reconnects.
      this.logger.warn(`Could not subscribe to ${name} yet: ${error.message}`);
    });
  }

  /** Runs `resync` whenever the subscription comes back after a lost connection. */
  onResubscribed(resync: () => void): void {
    this.resyncHandlers.push(resync);
  }

  /** Publishes to every instance; returns false (and logs) when Redis is unreachable. */
  async publish(channel: string, message: string): Promise<boolean> {
    try {
      await this.client.publish(this.prefix + channel, message);
      return true;
    } catch (error) {
      this.logger.warn(`Could not publish on ${channel}: ${(error as Error).message}`);
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber.disconnect();
  }
}
