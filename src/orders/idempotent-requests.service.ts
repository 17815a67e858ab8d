import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { isUniqueViolation, type Transaction, TransactionRunner } from '../database/transaction-runner';
import { MetricsService } from '../metrics/metrics.service';
import { RedisLock } from '../redis/redis-lock';
import {
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
  requestFingerprint,
} from './idempotency';

export interface Answer<T> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

export interface IdempotentAnswer<T> extends Answer<T> {
  /** True when this is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

export interface IdempotencyScope {
  userId: number;
  route: string;
  key?: string;
  body: unknown;
}

interface StoredAnswer {
  fingerprint: string;
  status_code: number;
  response: unknown;
  headers: Record<string, string>;
}

/**
 * Runs a write at most once per (user, route, Idempotency-Key), after the IETF
 * idempotency-key draft: a repeat with the same body gets the stored answer, a repeat
 * with another body is refused (422), a repeat while the first still runs gets 409.
 *
 * Two layers guard it. A Redis lock makes concurrent duplicates answer 409 at once;
 * the stored answer is inserted in the write's own transaction under a primary key on
 * (user, route, key), so even with Redis down a duplicate cannot commit a second
 * write — it fails on that key, rolls back, and replays the first answer.
 * Only successful answers are stored: a request that failed may be retried with its key.
 */
@Injectable()
export class IdempotentRequests {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly dataSource: DataSource,
    private readonly locks: RedisLock,
    private readonly metrics: MetricsService,
  ) {}

  async run<T>(
    scope: IdempotencyScope,
    work: (manager: EntityManager, tx: Transaction) => Promise<Answer<T>>,
  ): Promise<IdempotentAnswer<T>> {
    const { key } = scope;
    if (key === undefined) {
      return { ...(await this.transactions.run(work)), replayed: false };
    }
    const fingerprint = requestFingerprint(scope.body);
    const lockName = `idempotency:${scope.userId}:${scope.route}:${key}`;
    const lock = await this.locks.acquire(lockName, 60_000);
    try {
      const stored = await this.find(scope.userId, scope.route, key);
      if (stored) {
        return this.replay<T>(stored, fingerprint);
      }
      if (lock.state === 'busy') {
        throw new IdempotencyKeyInFlightError();
      }
      return await this.runAndStore(scope, key, fingerprint, work);
    } finally {
      await this.locks.release(lockName, lock);
    }
  }

  private async runAndStore<T>(
    scope: IdempotencyScope,
    key: string,
    fingerprint: string,
    work: (manager: EntityManager, tx: Transaction) => Promise<Answer<T>>,
  ): Promise<IdempotentAnswer<T>> {
    try {
      const answer = await this.transactions.run(async (manager, tx) => {
        const result = await work(manager, tx);
        await manager.query(
          `DELETE FROM idempotency_keys WHERE user_id = $1 AND route = $2 AND key = $3 AND created_at < $4`,
          [scope.userId, scope.route, key, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)],
        );
        await manager.query(
          `INSERT INTO idempotency_keys (user_id, route, key, fingerprint, status_code, response, headers)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [scope.userId, scope.route, key, fingerprint, result.status, JSON.stringify(result.body), result.headers],
        );
        return result;
      });
      return { ...answer, replayed: false };
    } catch (error) {
      // Another request with this key committed first (Redis was not there to stop us).
      if (isUniqueViolation(error, 'idempotency_keys_pkey')) {
        const stored = await this.find(scope.userId, scope.route, key);
        if (stored) {
          return this.replay<T>(stored, fingerprint);
        }
      }
      throw error;
    }
  }

  private replay<T>(stored: StoredAnswer, fingerprint: string): IdempotentAnswer<T> {
    const answer = replay<T>(stored, fingerprint);
    this.metrics.idempotencyReplays.inc();
    return answer;
  }

  private async find(userId: number, route: string, key: string): Promise<StoredAnswer | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT fingerprint, status_code, response, headers FROM idempotency_keys
       WHERE user_id = $1 AND route = $2 AND key = $3 AND created_at >= $4`,
      [userId, route, key, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)],
    )) as StoredAnswer[];
    return rows[0];
  }
}

function replay<T>(stored: StoredAnswer, fingerprint: string): IdempotentAnswer<T> {
  if (stored.fingerprint !== fingerprint) {
    throw new IdempotencyKeyReusedError();
  }
  return { status: stored.status_code, body: stored.response as T, headers: stored.headers, replayed: true };
}
