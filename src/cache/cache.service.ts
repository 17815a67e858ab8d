import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { MetricsService } from '../metrics/metrics.service';
import { RedisPubSub } from '../redis/redis-pubsub.service';
import { REDIS } from '../redis/redis.constants';
import { createL1, L1_MAX_TTL_MS, L2, type L1, type L1Entry, type L2Read } from './cache-layers';

export interface WrapTtl {
  /** Lifetime in Redis of a found value. */
  ttlMs: number;
  /** Lifetime of the null placeholder stored when the loader finds nothing. */
  nullTtlMs: number;
  /**
   * Write to Redis only what this instance loads a second time (while it still remembers
   * the first, see {@link SEEN_KEYS}); the first load is kept in L1 alone. For namespaces
   * whose keys mostly come once (list pages of one-off filters): such a key then costs no
   * Redis write. Reads still consult Redis, and misses are coalesced as ever.
   */
  redisOnRepeat?: boolean;
}

/** How many first loads of `redisOnRepeat` keys are remembered; past it the oldest are forgotten. */
export const SEEN_KEYS = 10_000;

const INVALIDATION_CHANNEL = 'cache:invalidate';
/**
 * An L1 entry read when less than this much of its life is left is refreshed from Redis in
 * the background, once: a key read often never expires in L1, so no read of it waits on Redis.
 */
const REFRESH_AHEAD_MS = L1_MAX_TTL_MS / 2;
const cacheKey = (namespace: string, generation: string, id: string) => `cache:${namespace}:${generation}:${id}`;
const GENERATION_KEY = (namespace: string) => `cache:generation:${namespace}`;

/** One cache entry as L1 holds it: its namespace, its id and its JSON text. */
export interface CacheEntry {
  namespace: string;
  id: string;
  json: string;
}

interface InvalidationMessage {
  keys?: string[];
  generation?: { namespace: string; value: string };
}

/** Invalidations collected to leave together: keys to drop, and the latest value of each moved generation. */
class Invalidation {
  readonly keys = new Set<string>();
  readonly generations = new Map<string, string>();
  readonly done: Promise<void>;
  settle!: () => void;

  constructor() {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  add(change: InvalidationMessage): void {
    change.keys?.forEach((key) => this.keys.add(key));
    if (change.generation) {
      this.generations.set(change.generation.namespace, change.generation.value);
    }
  }
}

/**
 * A miss being filled: what its waiters get, and whether it may still store what it
 * loads. An invalidation of its key voids it (and later readers start a fill of their
 * own), since what it read may predate the write.
 */
interface Fill {
  answer: Promise<string | null>;
  current: boolean;
}

/** How a fill loads one key: the value's JSON text, and whether it may go to Redis (see `redisOnRepeat`). */
interface Load {
  load: () => Promise<string | null>;
  toRedis: boolean;
}

/**
 * The messages that carry `keys` and `generations`: one per generation (the first also
 * carrying the keys), as every instance, of this version or an older one, reads them.
 */
function invalidationMessages(keys: string[], generations: Array<[string, string]>): InvalidationMessage[] {
  if (generations.length === 0) {
    return [{ keys }];
  }
  return generations.map(([namespace, value], index) => ({
    ...(index === 0 && keys.length > 0 ? { keys } : {}),
    generation: { namespace, value },
  }));
}

/**
 * The one cache facade: a two-level read-through cache (in-process L1 ≈ 100 ms in front
 * of Redis L2) with per-entry TTLs, null placeholders, in-process coalescing of misses,
 * and invalidation that reaches every instance.
 *
 * Once an invalidation has answered, no level holds what was read before it: a fill
 * (a miss being loaded) that began before an invalidation of its key stores nothing in
 * L1, and in Redis only if the key's fence has not moved since the fill read it (see
 * {@link L2}), whichever instance invalidated.
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
  private readonly l2: L2;
  /** Misses being filled, by key: concurrent misses on one key share one fill. */
  private readonly fills = new Map<string, Fill>();
  /** `redisOnRepeat` keys loaded once, oldest first (a Set iterates in insertion order). */
  private readonly seen = new Set<string>();
  /**
   * Keys whose background refresh from Redis is under way (one at a time per key), and
   * whether it may still store what it reads: an invalidation of the key meanwhile voids
   * it, since its read may have come before the invalidation's.
   */
  private readonly refreshing = new Map<string, boolean>();
  private readonly generations = new Map<string, string>();
  private lastErrorLog = 0;
  /**
   * A write made while Redis is down cannot drop the Redis copy of what it changed, and
   * that copy would outlive the outage by up to its TTL. Such keys and generations are
   * remembered and applied as soon as Redis answers again.
   */
  private readonly pendingKeys = new Set<string>();
  private readonly pendingGenerations = new Map<string, string>();
  /** The invalidation being collected, and the one on its way to Redis (see {@link sendInvalidation}). */
  private nextInvalidation: Invalidation | null = null;
  private invalidationInFlight: Promise<void> | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly pubsub: RedisPubSub,
    private readonly metrics: MetricsService,
  ) {
    this.l1 = createL1(metrics);
    this.l2 = new L2(redis, metrics);
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
    const held = this.l1Hit(key);
    if (held !== undefined) {
      this.metrics.cacheRequests.inc({ layer: 'l1', result: 'hit' });
      return held as string | null;
    }
    this.metrics.cacheRequests.inc({ layer: 'l1', result: 'miss' });
    const [answer] = this.fill([key], [this.loadOf(key, loader, ttl)], ttl);
    return answer;
  }

  /**
   * How a fill loads `key`. A `redisOnRepeat` key's first load stays out of Redis; the key
   * counts as seen once that load is done, so the misses that wait for it are no repeat.
   */
  private loadOf(key: string, loader: () => Promise<unknown>, ttl: WrapTtl): Load {
    const firstLoad = ttl.redisOnRepeat === true && !this.seen.has(key);
    return {
      toRedis: !firstLoad,
      load: async () => {
        const value = await loader();
        if (firstLoad) {
          this.remember(key);
        }
        return value === null ? null : JSON.stringify(value);
      },
    };
  }

  /**
   * The answers for `keys` (L1 missed them): a key already being filled joins that fill;
   * the others are read from Redis in one round trip, and what Redis does not hold is
   * loaded. A throwing loader rejects every waiter of its key and stores nothing.
   */
  private fill(keys: string[], loads: Load[], ttl: WrapTtl): Array<Promise<string | null>> {
    const started: number[] = [];
    const fills = keys.map((key, index) => {
      let fill = this.fills.get(key);
      if (!fill) {
        fill = { current: true } as Fill;
        this.fills.set(key, fill);
        started.push(index);
      }
      return fill;
    });
    if (started.length > 0) {
      const read = this.l2.read(started.map((index) => keys[index])).catch((error: unknown) => {
        this.logRedisError(error);
        return undefined;
      });
      started.forEach((index, at) => {
        const [key, fill] = [keys[index], fills[index]];
        fill.answer = this.complete(key, fill, read.then((found) => found?.[at]), loads[index], ttl).finally(() => {
          if (this.fills.get(key) === fill) {
            this.fills.delete(key);
          }
        });
      });
    }
    return fills.map((fill) => fill.answer);
  }

  /** One key's fill, from its Redis read (`undefined`: Redis did not answer) on. */
  private async complete(
    key: string,
    fill: Fill,
    read: Promise<L2Read | undefined>,
    { load, toRedis }: Load,
    ttl: WrapTtl,
  ): Promise<string | null> {
    const found = await read;
    if (found?.value !== undefined) {
      const value = found.value as string | null;
      if (fill.current) {
        await this.l1.keyv.set(key, value, value === null ? ttl.nullTtlMs : ttl.ttlMs);
      }
      return value;
    }
    const value = await load();
    const lifetime = value === null ? ttl.nullTtlMs : ttl.ttlMs;
    // Without the fence (Redis did not answer the read) nothing may go to Redis; refused
    // there, an invalidation came since, perhaps from another instance not heard from yet.
    const stored =
      found === undefined || !toRedis
        ? true
        : await this.l2.fill(key, found.fence, value, lifetime).catch((error: unknown) => {
            this.logRedisError(error);
            return true;
          });
    if (stored && fill.current) {
      await this.l1.keyv.set(key, value, lifetime);
    }
    return value;
  }

  private remember(key: string): void {
    this.seen.add(key);
    if (this.seen.size > SEEN_KEYS) {
      this.seen.delete(this.seen.values().next().value!);
    }
  }

  /** {@link wrapJson}, parsed: the cached value, or `null` for "not found". */
  async wrap<T>(namespace: string, id: string, loader: () => Promise<T | null>, ttl: WrapTtl): Promise<T | null> {
    return (await this.wrapEntry(namespace, id, loader, ttl)).value;
  }

  /**
   * {@link wrap}, and the entry's text it was parsed from: an answer built from the value
   * is current while L1 still holds that text (the `ResponseCache` checks it with
   * {@link peekJson}). No `entry` for "not found".
   */
  async wrapEntry<T>(
    namespace: string,
    id: string,
    loader: () => Promise<T | null>,
    ttl: WrapTtl,
  ): Promise<{ value: T | null; entry?: CacheEntry }> {
    const cached: unknown = await this.wrapJson(namespace, id, loader, ttl);
    if (typeof cached !== 'string') {
      // An entry an older version stored as an object (until its TTL ends) is used as it is.
      return { value: cached as T | null };
    }
    return { value: JSON.parse(cached) as T, entry: { namespace, id, json: cached } };
  }

  /**
   * {@link wrapJson} for many ids at once, in their order: what L1 does not hold is read
   * from Redis in one `MGET`, and only what neither holds goes to `loader` (one call per
   * id, coalesced with any other read of it).
   */
  async wrapManyJson(
    namespace: string,
    ids: string[],
    loader: (id: string) => Promise<unknown>,
    ttl: WrapTtl,
  ): Promise<Array<string | null>> {
    const generation = await this.generationOf(namespace);
    const keys = ids.map((id) => cacheKey(namespace, generation, id));
    const found = keys.map((key) => this.l1Hit(key));
    const missing = found.flatMap((value, index) => (value === undefined ? [index] : []));
    this.metrics.cacheRequests.inc({ layer: 'l1', result: 'hit' }, keys.length - missing.length);
    this.metrics.cacheRequests.inc({ layer: 'l1', result: 'miss' }, missing.length);
    if (missing.length > 0) {
      const answers = this.fill(
        missing.map((index) => keys[index]),
        missing.map((index) => this.loadOf(keys[index], () => loader(ids[index]), ttl)),
        ttl,
      );
      (await Promise.all(answers)).forEach((value, at) => (found[missing[at]] = value));
    }
    return found as Array<string | null>;
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
    const value = this.l1Hit(cacheKey(namespace, generation, id)) as string | null | undefined;
    if (value !== undefined) {
      this.metrics.cacheRequests.inc({ layer: 'l1', result: 'hit' });
    }
    return value;
  }

  /** The live L1 value under `key` (`undefined`: none), refreshing it ahead when it is about to end. */
  private l1Hit(key: string): unknown {
    const entry = this.l1.peek(key);
    if (entry !== undefined && entry.expires !== undefined && entry.expires - Date.now() < REFRESH_AHEAD_MS) {
      this.refreshAhead(key, entry);
    }
    return entry?.value;
  }

  /**
   * Reads `key` from Redis in the background and, if it is still there, gives the L1 entry
   * a new life. When Redis no longer holds it (invalidated, expired) or cannot answer, the
   * L1 entry is left to end, and the next read goes through {@link wrapJson}'s loader.
   */
  private refreshAhead(key: string, entry: L1Entry): void {
    if (this.refreshing.has(key)) {
      return;
    }
    this.refreshing.set(key, true);
    this.l2
      .get(key)
      .then(async (value) => {
        // Not invalidated since, and no newer entry stored meanwhile: the Redis copy is current.
        const current = this.l1.peek(key);
        const storedSince = current !== undefined && (current.expires ?? Infinity) > (entry.expires ?? Infinity);
        if (value !== undefined && this.refreshing.get(key) === true && !storedSince) {
          await this.l1.keyv.set(key, value);
        }
      })
      .catch((error: unknown) => this.logRedisError(error))
      .finally(() => this.refreshing.delete(key));
  }

  /** Drops one entry from both levels on every instance. */
  async invalidate(namespace: string, id: string): Promise<void> {
    const key = await this.keyOf(namespace, id);
    await this.forget(key);
    await this.sendInvalidation({ keys: [key] });
  }

  /** Drops every entry of a namespace on every instance by moving its generation on. */
  async invalidateNamespace(namespace: string): Promise<void> {
    const value = randomUUID();
    this.generations.set(namespace, value);
    await this.sendInvalidation({ generation: { namespace, value } });
  }

  /**
   * Resolves once Redis has been told (or, if it cannot be, the change is remembered for
   * when it can). Invalidations issued while one is on its way leave together after it
   * (see {@link Invalidation}): under a burst of writes, every checkout invalidated its
   * products and moved the list generation on its own, four commands and two messages
   * each, which every instance then had to parse.
   */
  private sendInvalidation(change: InvalidationMessage): Promise<void> {
    let next = this.nextInvalidation;
    if (!next) {
      next = this.nextInvalidation = new Invalidation();
      // Whatever else this turn of the event loop invalidates joins it.
      const start = () => setImmediate(() => this.flushInvalidation());
      if (this.invalidationInFlight) {
        void this.invalidationInFlight.then(start);
      } else {
        start();
      }
    }
    next.add(change);
    return next.done;
  }

  private flushInvalidation(): void {
    const batch = this.nextInvalidation;
    if (!batch) {
      return;
    }
    this.nextInvalidation = null;
    const flushing = this.applyToRedis(batch)
      .catch((error: unknown) => this.logRedisError(error))
      // A read here between the first forget and the Redis delete may have found the old
      // value in Redis and stored it in L1: forgotten again before the writer is answered.
      .then(async () => {
        await Promise.all([...batch.keys].map((key) => this.forget(key)));
      })
      .finally(() => {
        if (this.invalidationInFlight === flushing) {
          this.invalidationInFlight = null;
        }
        batch.settle();
      });
    this.invalidationInFlight = flushing;
  }

  /** One drop of the keys (with their fences), a SET per moved generation, and one message (Redis runs them in this order, in one round trip). */
  private async applyToRedis(batch: Invalidation): Promise<void> {
    const keys = [...batch.keys];
    const generations = [...batch.generations];
    await Promise.all([
      keys.length > 0 ? this.deleteFromRedis(keys) : undefined,
      ...generations.map(([namespace, value]) => this.storeGeneration(namespace, value)),
      ...invalidationMessages(keys, generations).map((message) =>
        this.pubsub.publish(INVALIDATION_CHANNEL, JSON.stringify(message)),
      ),
    ]);
  }

  private async deleteFromRedis(keys: string[]): Promise<void> {
    try {
      await this.l2.drop(keys);
      keys.forEach((key) => this.pendingKeys.delete(key));
    } catch (error) {
      keys.forEach((key) => this.pendingKeys.add(key));
      this.logRedisError(error);
    }
  }

  private async storeGeneration(namespace: string, value: string): Promise<void> {
    try {
      await this.redis.set(GENERATION_KEY(namespace), value);
      this.pendingGenerations.delete(namespace);
    } catch (error) {
      this.pendingGenerations.set(namespace, value);
      this.logRedisError(error);
    }
  }

  /** Sends again what Redis missed: one batch, as {@link sendInvalidation} sends any. */
  private async retryPending(): Promise<void> {
    const keys = [...this.pendingKeys];
    await Promise.all([
      ...(keys.length > 0 ? [this.sendInvalidation({ keys })] : []),
      ...[...this.pendingGenerations].map(([namespace, value]) =>
        this.sendInvalidation({ generation: { namespace, value } }),
      ),
    ]);
  }

  private async keyOf(namespace: string, id: string): Promise<string> {
    return cacheKey(namespace, await this.generationOf(namespace), id);
  }

  private async generationOf(namespace: string): Promise<string> {
    let generation = this.generations.get(namespace);
    if (generation === undefined) {
      generation = (await this.redis.get(GENERATION_KEY(namespace)).catch(() => null)) ?? '0';
      this.generations.set(namespace, generation);
    }
    return generation;
  }

  private applyInvalidation(raw: string): void {
    const message = JSON.parse(raw) as InvalidationMessage;
    for (const key of message.keys ?? []) {
      void this.forget(key);
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
    [...this.refreshing.keys()].forEach((key) => this.voidRefresh(key));
    [...this.fills.keys()].forEach((key) => this.voidFill(key));
    this.generations.clear();
    for (const [namespace, value] of this.pendingGenerations) {
      this.generations.set(namespace, value);
    }
    await this.l1.keyv.clear();
  }

  /** Drops `key` from L1, and voids what is being read of it: that may predate the invalidation. */
  private async forget(key: string): Promise<void> {
    this.voidRefresh(key);
    this.voidFill(key);
    await this.l1.keyv.delete(key);
  }

  private voidFill(key: string): void {
    const fill = this.fills.get(key);
    if (fill) {
      fill.current = false;
      this.fills.delete(key);
    }
  }

  private voidRefresh(key: string): void {
    if (this.refreshing.has(key)) {
      this.refreshing.set(key, false);
    }
  }

  private logRedisError(error: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog > 10_000) {
      this.lastErrorLog = now;
      this.logger.warn(`Redis cache unavailable, reading through: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}
