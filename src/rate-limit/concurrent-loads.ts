import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TooManyRequestsError } from '../common/errors/domain-error';
import { AppConfig } from '../config/configuration';

/**
 * Bounds how many expensive loads (a list the caches did not hold) one client has running
 * on this instance at once (`LIST_LOADS_PER_CLIENT`). The per-minute budget bounds how
 * often a client asks, not what its asks hold: loads that each take a pooled connection
 * for a long while could take the whole pool from everyone else within that budget. A
 * load over the limit is refused at once (429 `RATE_LIMITED`), not queued, so it holds
 * nothing. Counted per instance: what is bounded is this instance's pool.
 */
@Injectable()
export class ConcurrentLoads {
  private readonly running = new Map<string, number>();
  private readonly limit: number;

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    this.limit = config.get('http', { infer: true }).listLoadsPerClient;
  }

  /** Runs `load` as one of `client`'s loads, or throws 429 when it has the limit running already. */
  async run<T>(client: string, load: () => Promise<T>): Promise<T> {
    if (this.limit === 0) {
      return load();
    }
    const count = this.running.get(client) ?? 0;
    if (count >= this.limit) {
      throw new TooManyRequestsError(
        'RATE_LIMITED',
        `At most ${this.limit} uncached list queries at once per client; wait for one to finish`,
        1,
      );
    }
    this.running.set(client, count + 1);
    try {
      return await load();
    } finally {
      const left = this.running.get(client)! - 1;
      if (left === 0) {
        this.running.delete(client);
      } else {
        this.running.set(client, left);
      }
    }
  }
}
