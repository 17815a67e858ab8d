import type Redis from 'ioredis';
import RedisMock from 'ioredis-mock';
import { randomUUID } from 'node:crypto';
import { MetricsService } from '../metrics/metrics.service';
import { L2 } from './cache-layers';

describe('L2 (Redis level)', () => {
  let redis: Redis;
  let l2: L2;

  beforeEach(() => {
    redis = new RedisMock({ keyPrefix: `layers-spec:${randomUUID()}:` }) as unknown as Redis;
    l2 = new L2(redis, new MetricsService());
  });
  afterEach(() => redis.disconnect());

  it('reads entries in the layout the Keyv store wrote before it, and writes that layout', async () => {
    // As Keyv over cache-manager-ioredis-yet stored `'{"n":1}'`: what older instances still write and read.
    const expires = Date.now() + 60_000;
    await redis.set('cache:product:0:1', JSON.stringify(JSON.stringify({ value: '{"n":1}', expires })));
    await redis.set('cache:product:0:2', JSON.stringify(JSON.stringify({ value: null, expires })));
    expect(await l2.read(['cache:product:0:1', 'cache:product:0:2', 'cache:product:0:3'])).toEqual([
      { value: '{"n":1}', fence: '' },
      { value: null, fence: '' },
      { value: undefined, fence: '' },
    ]);

    expect(await l2.fill('cache:product:0:3', '', '{"n":3}', 60_000)).toBe(true);
    const stored = JSON.parse(JSON.parse((await redis.get('cache:product:0:3'))!) as string) as object;
    expect(stored).toEqual({ value: '{"n":3}', expires: expect.any(Number) });
    expect(await l2.get('cache:product:0:3')).toBe('{"n":3}');
  });

  it('refuses a fill whose key was dropped after the fill read it, and takes the next one', async () => {
    const [before] = await l2.read(['cache:product:0:1']);
    await l2.drop(['cache:product:0:1']);
    expect(await l2.fill('cache:product:0:1', before.fence, '{"price":100}', 60_000)).toBe(false);
    expect(await redis.exists('cache:product:0:1')).toBe(0);

    const [after] = await l2.read(['cache:product:0:1']);
    expect(after).toEqual({ value: undefined, fence: '1' });
    expect(await l2.fill('cache:product:0:1', after.fence, '{"price":200}', 60_000)).toBe(true);
    expect(await l2.get('cache:product:0:1')).toBe('{"price":200}');
  });
});
