import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Cache, createCache } from 'cache-manager';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { MetricsService } from '../metrics/metrics.service';
import { RedisPubSub } from '../redis/redis-pubsub.service';
import { REDIS } from '../redis/redis.constants';
import { createL1, createL2, type L1 } from './cache-layers';

export interface WrapTtl {
  /** Lifetime in Redis of a found value. */
  ttlMs: number;
  /** Lifetime of the null placeholder stored when the loader finds nothing. */
  nullTtlMs: number;
}

const INVALIDATION_CHANNEL = 'cache:invalidate';
const cacheKey = (namespace: string, generation: string, id: string) => `cache:${namespace}:${generation}:${id}`;
const GENERATION_KEY = (namespace: string) => `cache:generation:${namespace}`;

interface InvalidationMessage {
  keys?: string[];
  generation?: { namespace: string; value: string };
}

/**
 * The one cache facade: a two-level read-through cache (in-process L1 ≈ 100 ms in front
 * of Redis L2) with per-entry TTLs, null placeholders, in-process coalescing of misses,
 * and invalidation that reaches every instance.
 *
 * Keys are `namespace:generation:id`. Dropping one entry deletes it from Redis and tells
 * every instance to drop it from L1; dropping a whole namespace (say, every cached
 * product list) moves its generation on, which every instance learns the same way.
 * Redis errors are logged and fall through to the loader.
 *
 * @example
 * const product = await cache.wrap('product', String(id), () => repo.findOneBy({ id }), {
 *   ttlMs: 300_000,
 *   nullTtlMs: 30_000,
 * });
 * await cache.invalidate('product', String(id));
 */
@Injectable()
export class CacheService implements OnModuleInit {
  private readonly logger = new Logger(CacheService.name);
  private readonly l1: L1;
  private readonly cache: Cache;
  private readonly generations = new Map<string, string>();
  private lastErrorLog = 0;
  /**
   * A write made while Redis is down cannot drop the Redis copy of what it changed, and
   * that copy would outlive the outage by up to its TTL. Such keys and generations are
   * remembered and applied as soon as Redis answers again.
   */
  private readonly pendingKeys = new Set<string>();
  private readonly pendingGenerations = new Map<string, string>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly pubsub: RedisPubSub,
    private readonly metrics: MetricsService,
  ) {
    this.l1 = createL1(metrics);
    const l2 = createL2(redis, metrics, (error) => this.logRedisError(error));
    this.cache = createCache({ stores: [this.l1.keyv, l2] });
  }

  async onModuleInit(): Promise<void> {
    await this.pubsub.subscribe(INVALIDATION_CHANNEL, (raw) => this.applyInvalidation(raw));
    this.pubsub.onResubscribed(() => void this.recover());
    this.redis.on('ready', () => void this.retryPending());
  }

  /**
   * Returns the cached JSON text of `namespace`/`id`, or loads the value, stores its JSON
   * text and returns that. Entries are kept as the text they are sent as, so a read
   * answered over HTTP is never serialised again. `null` means "not found".
   */
  async wrapJson(namespace: string, id: string, loader: () => Promise<unknown>, ttl: WrapTtl): Promise<string | null> {
    const key = await this.keyOf(namespace, id);
    // A throwing loader rejects every coalesced waiter and caches nothing.
    return this.cache.wrap<string | null>(
      key,
      async () => {
        const value = await loader();
        return value === null ? null : JSON.stringify(value);
      },
      { ttl: (value) => (value === null ? ttl.nullTtlMs : ttl.ttlMs) },
    );
  }

  /** {@link wrapJson}, parsed: the cached value, or `null` for "not found". */
  async wrap<T>(namespace: string, id: string, loader: () => Promise<T | null>, ttl: WrapTtl): Promise<T | null> {
    const cached: unknown = await this.wrapJson(namespace, id, loader, ttl);
    // An entry an older version stored as an object (until its TTL ends) is used as it is.
    return typeof cached === 'string' ? (JSON.parse(cached) as T) : (cached as T | null);
  }

  /**
   * The in-process copy of `namespace`/`id`, if this instance holds a live one now:
   * answered without waiting, for callers that can use it before any promise. `undefined`
   * means "not here" (ask {@link wrap}); `null` is a cached "not found".
   */
  peekJson(namespace: string, id: string): string | null | undefined {
    const generation = this.generations.get(namespace);
    if (generation === undefined) {
      return undefined;
    }
    const value = this.l1.peek(cacheKey(namespace, generation, id)) as string | null | undefined;
    if (value !== undefined) {
      this.metrics.cacheRequests.inc({ layer: 'l1', result: 'hit' });
    }
    return value;
  }

  /** Drops one entry from both levels on every instance. */
  async invalidate(namespace: string, id: string): Promise<void> {
    const key = await this.keyOf(namespace, id);
    await this.l1.keyv.delete(key);
    // Issued together, so they share one round trip (Redis runs them in this order).
    await Promise.all([
      this.deleteFromRedis(key),
      this.pubsub.publish(INVALIDATION_CHANNEL, JSON.stringify({ keys: [key] } satisfies InvalidationMessage)),
    ]);
  }

  /** Drops every entry of a namespace on every instance by moving its generation on. */
  async invalidateNamespace(namespace: string): Promise<void> {
    const value = randomUUID();
    this.generations.set(namespace, value);
    await this.publishGeneration(namespace, value);
  }

  private async deleteFromRedis(key: string): Promise<void> {
    try {
      await this.redis.del(key);
      this.pendingKeys.delete(key);
    } catch (error) {
      this.pendingKeys.add(key);
      this.logRedisError(error);
    }
  }

  private async publishGeneration(namespace: string, value: string): Promise<void> {
    const stored = this.redis.set(GENERATION_KEY(namespace), value).then(
      () => this.pendingGenerations.delete(namespace),
      (error: unknown) => {
        this.pendingGenerations.set(namespace, value);
        this.logRedisError(error);
      },
    );
    await Promise.all([
      stored,
      this.pubsub.publish(
        INVALIDATION_CHANNEL,
        JSON.stringify({ generation: { namespace, value } } satisfies InvalidationMessage),
      ),
    ]);
  }

  private async retryPending(): Promise<void> {
    for (const key of [...this.pendingKeys]) {
      await this.deleteFromRedis(key);
      await this.pubsub.publish(INVALIDATION_CHANNEL, JSON.stringify({ keys: [key] } satisfies InvalidationMessage));
    }
    for (const [namespace, value] of [...this.pendingGenerations]) {
      await this.publishGeneration(namespace, value);
    }
  }

  private async keyOf(namespace: string, id: string): Promise<string> {
    let generation = this.generations.get(namespace);
    if (generation === undefined) {
      generation = (await this.redis.get(GENERATION_KEY(namespace)).catch(() => null)) ?? '0';
      this.generations.set(namespace, generation);
    }
    return cacheKey(namespace, generation, id);
  }

  private applyInvalidation(raw: string): void {
    const message = JSON.parse(raw) as InvalidationMessage;
    for (const key of message.keys ?? []) {
      void this.l1.keyv.delete(key);
    }
    if (message.generation) {
      this.generations.set(message.generation.namespace, message.generation.value);
    }
  }

  /**
   * After an outage: apply our own writes Redis missed, then forget the generations we
   * knew (we may have missed other instances' moves) and read them again.
   */
  private async recover(): Promise<void> {
    await this.retryPending();
    this.generations.clear();
    for (const [namespace, value] of this.pendingGenerations) {
      this.generations.set(namespace, value);
    }
    await this.l1.keyv.clear();
  }

  private logRedisError(error: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog > 10_000) {
      this.lastErrorLog = now;
      this.logger.warn(`Redis cache unavailable, reading through: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}
