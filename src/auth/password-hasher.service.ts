import { Injectable } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { ServiceUnavailableError } from '../common/errors/domain-error';
import { MetricsService } from '../metrics/metrics.service';
import { FairQueue, QueueFullError } from './fair-queue';
import { checkPassword, hashPassword, type PasswordCheck } from './password';

/**
 * scrypt runs on libuv's thread pool; unbounded, a flood of logins from one client queues
 * every other user's login behind it. Hashing runs one per core at most, in turns per
 * client ({@link FairQueue}): another user's login waits for at most one of the flood's
 * hashes. One client may have `PER_CLIENT_WAITING` hashes waiting, everyone together
 * `TOTAL_WAITING`; past that the request answers 503 `SERVICE_BUSY` with `Retry-After`
 * at once, which costs nothing.
 */
const PER_CLIENT_WAITING = 32;
const TOTAL_WAITING = 128;

export class HashingBusyError extends ServiceUnavailableError {
  constructor() {
    super('SERVICE_BUSY', 'Too many logins and registrations are waiting; try again shortly', 1);
  }
}

/** Password hashing and verification, bounded and fair per client (the caller's address). */
@Injectable()
export class PasswordHasher {
  readonly queue = new FairQueue({
    concurrency: availableParallelism(),
    perClientWaiting: PER_CLIENT_WAITING,
    totalWaiting: TOTAL_WAITING,
  });

  constructor(metrics: MetricsService) {
    metrics.gauge('password_hashing_running', 'Password hashes being computed', () => this.queue.size.running);
    metrics.gauge('password_hashing_waiting', 'Password hashes waiting for a slot', () => this.queue.size.waiting);
  }

  hash(password: string, client: string): Promise<string> {
    return this.run(client, () => hashPassword(password));
  }

  verify(password: string, stored: string, client: string): Promise<PasswordCheck> {
    return this.run(client, () => checkPassword(password, stored));
  }

  private async run<T>(client: string, job: () => Promise<T>): Promise<T> {
    try {
      return await this.queue.run(client, job);
    } catch (error) {
      throw error instanceof QueueFullError ? new HashingBusyError() : error;
    }
  }
}
