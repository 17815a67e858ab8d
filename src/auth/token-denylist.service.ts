import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { RedisPubSub } from '../redis/redis-pubsub.service';
import { REDIS } from '../redis/redis.constants';

const CHANNEL = 'auth:revoked';
const INDEX_KEY = 'auth:revoked';
const ENTRY_KEY = (jti: string) => `auth:revoked:${jti}`;

/**
 * Revoked token ids. Redis holds the denylist (one key per `jti`, expiring with the
 * token, plus a sorted index by expiry); every instance keeps a local mirror, filled at
 * start-up and kept current through pub/sub, so checking a token costs no Redis round
 * trip. The instance that revokes a token knows at once, even with Redis down.
 */
@Injectable()
export class TokenDenylist implements OnModuleInit {
  private readonly logger = new Logger(TokenDenylist.name);
  /** jti → expiry in epoch ms */
  private readonly revoked = new Map<string, number>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly pubsub: RedisPubSub,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.pubsub.subscribe(CHANNEL, (message) => {
      const [jti, expiresAt] = message.split(' ');
      this.remember(jti, Number(expiresAt));
    });
    this.pubsub.onResubscribed(() => void this.load());
    await this.load();
  }

  isRevoked(jti: string): boolean {
    const expiresAt = this.revoked.get(jti);
    if (expiresAt === undefined) {
      return false;
    }
    if (expiresAt <= Date.now()) {
      this.revoked.delete(jti);
      return false;
    }
    return true;
  }

  /** Revokes `jti` until `expiresAtMs`, here at once and on every instance as soon as Redis carries it. */
  async revoke(jti: string, expiresAtMs: number): Promise<void> {
    this.remember(jti, expiresAtMs);
    const now = Date.now();
    try {
      await this.redis
        .multi()
        .set(ENTRY_KEY(jti), '1', 'PX', Math.max(1, expiresAtMs - now))
        .zadd(INDEX_KEY, expiresAtMs, jti)
        .zremrangebyscore(INDEX_KEY, '-inf', now)
        .exec();
      await this.pubsub.publish(CHANNEL, `${jti} ${expiresAtMs}`);
    } catch (error) {
      this.logger.error(`Token ${jti} revoked on this instance only; Redis failed: ${(error as Error).message}`);
    }
  }

  private remember(jti: string, expiresAtMs: number): void {
    if (expiresAtMs > Date.now()) {
      this.revoked.set(jti, expiresAtMs);
    }
    if (this.revoked.size % 1_000 === 0) {
      this.prune();
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [jti, expiresAt] of this.revoked) {
      if (expiresAt <= now) {
        this.revoked.delete(jti);
      }
    }
  }

  private async load(): Promise<void> {
    try {
      const entries = await this.redis.zrangebyscore(INDEX_KEY, Date.now(), '+inf', 'WITHSCORES');
      for (let i = 0; i < entries.length; i += 2) {
        this.remember(entries[i], Number(entries[i + 1]));
      }
    } catch (error) {
      this.logger.warn(`Could not load the token denylist yet: ${(error as Error).message}`);
    }
  }
}
