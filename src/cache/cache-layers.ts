import { KeyvCacheableMemory } from '@cacheable/memory';
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
 * How long a key's fence outlives its last invalidation: longer than any fill takes
 * (a fill's load is bounded by the database's timeouts), so a fill that read a fence
 * never finds it expired and gone, as if no invalidation had come.
 */
export const FENCE_TTL_MS = 3_600_000;

/** The fence of an entry key (`cache:…` → `cache-fence:…`): a counter every invalidation of the key moves on. */
const fenceKeyOf = (key: string) => `cache-fence:${key.slice(key.indexOf(':') + 1)}`;

/** Stores the value only if the key's fence is still what the fill read before it loaded. */
const FILL_LUA = `
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

/** Deletes each entry (first half of KEYS) and moves its fence on (second half), in one step. */
const DROP_LUA = `
local n = #KEYS / 2
for i = 1, n do
  redis.call('DEL', KEYS[i])
  redis.call('INCR', KEYS[n + i])
  redis.call('PEXPIRE', KEYS[n + i], ARGV[1])
end
return n`;

interface FenceCommands {
  cacheFill(key: string, fence: string, expected: string, value: string, ttlMs: number): Promise<number>;
}

/** What a fill read of a Redis entry: its value (`undefined`: none) and the entry's fence with it. */
export interface L2Read {
  value: unknown;
  fence: string;
}

/**
 * L2: Redis, on the app's shared client. A fill that loaded a value stores it only if no
 * invalidation of its key came since the fill read the key (checked in Redis, so an
 * invalidation by any instance counts): a value loaded before a write then never lands
 * after the write's delete. Entries are kept as the Keyv layout the cache used before
 * (`{"value","expires"}` as a JSON string), which older instances still read.
 */
export class L2 {
  private readonly client: Redis & FenceCommands;

  constructor(
    redis: Redis,
    private readonly metrics: MetricsService,
  ) {
    redis.defineCommand('cacheFill', { numberOfKeys: 2, lua: FILL_LUA });
    this.client = redis as Redis & FenceCommands;
  }

  /** The value under `key` (`undefined`: none). */
  async get(key: string): Promise<unknown> {
    const [value] = this.count([decode(await this.client.get(key))]);
    return value;
  }

  /** The values under `keys` and their fences, in one round trip: what a fill starts from. */
  async read(keys: string[]): Promise<L2Read[]> {
    const replies = await this.client.mget(...keys, ...keys.map(fenceKeyOf));
    const values = this.count(keys.map((_, index) => decode(replies[index])));
    return values.map((value, index) => ({ value, fence: replies[keys.length + index] ?? '' }));
  }

  /** Stores `value` for `ttlMs` unless `key` was invalidated since its fence read `fence`; whether it did. */
  async fill(key: string, fence: string, value: unknown, ttlMs: number): Promise<boolean> {
    const stored = JSON.stringify(JSON.stringify({ value, expires: Date.now() + ttlMs }));
    return (await this.client.cacheFill(key, fenceKeyOf(key), fence, stored, ttlMs)) === 1;
  }

  /** Deletes `keys` and moves their fences on, so no fill that began before lands after. */
  async drop(keys: string[]): Promise<void> {
    // EVAL, not a defined command: the number of keys varies from call to call.
    await this.client.eval(DROP_LUA, keys.length * 2, ...keys, ...keys.map(fenceKeyOf), FENCE_TTL_MS);
  }

  private count(values: unknown[]): unknown[] {
    const hits = values.filter((value) => value !== undefined).length;
    this.metrics.cacheRequests.inc({ layer: 'l2', result: 'hit' }, hits);
    this.metrics.cacheRequests.inc({ layer: 'l2', result: 'miss' }, values.length - hits);
    return values;
  }
}

/** An entry's value as {@link L2.fill} (or Keyv before it) stored it; `undefined` for none or one past its end. */
function decode(raw: string | null | undefined): unknown {
  if (raw === null || raw === undefined) {
    return undefined;
  }
  const { value, expires } = JSON.parse(JSON.parse(raw) as string) as { value: unknown; expires?: number };
  return expires !== undefined && expires <= Date.now() ? undefined : value;
}
