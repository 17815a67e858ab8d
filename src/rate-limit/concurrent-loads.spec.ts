import type { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/configuration';
import { ConcurrentLoads } from './concurrent-loads';

const loadsWithLimit = (listLoadsPerClient: number) =>
  new ConcurrentLoads({ get: () => ({ listLoadsPerClient }) } as unknown as ConfigService<AppConfig, true>);

/** A load that runs until `finish` is called. */
function pending() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { load: () => done, finish };
}

describe('ConcurrentLoads', () => {
  it('refuses a client past its limit with 429 RATE_LIMITED and Retry-After, and frees the slot when a load ends', async () => {
    const loads = loadsWithLimit(2);
    const first = pending();
    const running = [loads.run('ip:a', first.load), loads.run('ip:a', pending().load)];
    await expect(loads.run('ip:a', async () => 'x')).rejects.toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      headers: { 'Retry-After': '1' },
    });
    // another client has its own count
    await expect(loads.run('user:7', async () => 'mine')).resolves.toBe('mine');
    first.finish();
    await running[0];
    await expect(loads.run('ip:a', async () => 'again')).resolves.toBe('again');
  });

  it('frees the slot of a load that failed', async () => {
    const loads = loadsWithLimit(1);
    await expect(loads.run('ip:a', () => Promise.reject(new Error('timeout')))).rejects.toThrow('timeout');
    await expect(loads.run('ip:a', async () => 'next')).resolves.toBe('next');
  });

  it('limits nothing at 0', async () => {
    const loads = loadsWithLimit(0);
    const running = Array.from({ length: 5 }, () => loads.run('ip:a', pending().load));
    await expect(loads.run('ip:a', async () => 'sixth')).resolves.toBe('sixth');
    expect(running).toHaveLength(5);
  });
});
