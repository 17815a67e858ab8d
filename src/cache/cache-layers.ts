import { KeyvCacheableMemory } from '@cacheable/memory';
import { KeyvAdapter, type CacheManagerStore } from 'cache-manager';
import { redisInsStore } from 'cache-manager-ioredis-yet';
import type Redis from 'ioredis';
import { Keyv, KeyvHooks } from 'keyv';
import { MetricsService } from '../metrics/metrics.service';

/** In-process entries live this long at most: short enough that a missed invalidation heals at once. */
export const L1_MAX_TTL_MS = 100;

function countLookups(keyv: Keyv, layer: 'l1' | 'l2', metrics: MetricsService): Keyv {
  keyv.hooks.addHandler(KeyvHooks.POST_GET, (data: { value?: unknown }) => {
    metrics.cacheRequests.inc({ layer, result: data.value === undefined ? 'miss' : 'hit' });
  });
  keyv.hooks.addHandler(KeyvHooks.POST_GET_MANY, (values: unknown[]) => {
    const hits = values.filter((value) => value !== undefined).length;
    metrics.cacheRequests.inc({ layer, result: 'hit' }, hits);
    metrics.cacheRequests.inc({ layer, result: 'miss' }, values.length - hits);
  });
  return keyv;
}

export interface L1 {
  keyv: Keyv;
  /** The live entry under `key` now, without waiting (`undefined`: none); not counted as a lookup. */
  peek(key: string): L1Entry | undefined;
}

/** What Keyv keeps in its store for every entry: the value and when it ends (ms since the epoch). */
export interface L1Entry {
  value: unknown;
  expires?: number;
}

/** L1: a bounded in-process LRU whose entries never outlive {@link L1_MAX_TTL_MS}. */
export function createL1(metrics: MetricsService): L1 {
  // One map: sharding 10k entries over 16 would hash every key on every lookup for nothing.
  const memory = new KeyvCacheableMemory({ lruSize: 10_000, checkInterval: 1_000, useClone: false, storeHashSize: 1 });
  const keyv = new Keyv({
    store: memory,
    useKeyPrefix: false,
    // In-process entries are kept as objects: no JSON round trip on every hit. Callers
    // treat cached values as read-only.
    serialize: undefined,
    deserialize: undefined,
  });
  keyv.hooks.addHandler(KeyvHooks.PRE_SET, (data: { ttl?: number }) => {
    data.ttl = Math.min(data.ttl ?? L1_MAX_TTL_MS, L1_MAX_TTL_MS);
  });
  const peek = (key: string): L1Entry | undefined => {
    // Keyv's async get would cost a promise per lookup; its store answers synchronously.
    const entry = memory.store.get<L1Entry>(key);
    return entry && (entry.expires === undefined || entry.expires > Date.now()) ? entry : undefined;
  };
  return { keyv: countLookups(keyv, 'l1', metrics), peek };
}

/**
 * L2: Redis through cache-manager-ioredis-yet on the app's shared client. The store is
 * typed for cache-manager 5; this is the one place that bridges it to Keyv. Never call
 * its `clear()`: it runs FLUSHDB.
 */
export function createL2(client: Redis, metrics: MetricsService, onError: (error: unknown) => void): Keyv {
  const store = redisInsStore(client) as unknown as CacheManagerStore;
  const keyv = new Keyv({ store: new KeyvAdapter(store), useKeyPrefix: false });
  keyv.on('error', onError);
  return countLookups(keyv, 'l2', metrics);
}

/**
 * `l2` for reading only: what cache-manager stores in it is dropped. A cache over
 * `[l1, readOnly(l2)]` reads both levels and stores what it loads in L1 alone (its
 * `wrap`, the one call made on such a cache, uses only a store's `get` and `set`).
 */
export function readOnly(l2: Keyv): Keyv {
  return { get: l2.get.bind(l2), set: async () => true } as unknown as Keyv;
}
