import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { ServiceUnavailableError } from '../common/errors/domain-error';
import { AppConfig } from '../config/configuration';
import { type Transaction, TransactionRunner } from '../database/transaction-runner';
import { MetricsService } from '../metrics/metrics.service';
import { RedisLock } from '../redis/redis-lock';
import {
  failureAnswer,
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
  isStorableFailure,
  requestFingerprint,
  StoredAnswer,
} from './idempotency';
import { IdempotencyKeysRepository, type StoredAnswerRow } from './idempotency-keys.repository';

export interface Answer<T> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

export interface IdempotentAnswer extends StoredAnswer {
  /** True when this is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

export interface IdempotencyScope {
  userId: number;
  route: string;
  key?: string;
  body: unknown;
  /** This request's id: it goes into a stored error body (and so into its replays). */
  requestId: string;
}

/**
 * How much longer than REQUEST_TIMEOUT_MS a key's lock lives: room for the COMMIT of a
 * write that finished just inside its deadline. A process that dies holding the lock
 * frees its key this long after REQUEST_TIMEOUT_MS (API.md allows 5 s).
 */
export const LOCK_MARGIN_MS = 1_000;

/** The key already holds another request's answer: roll back and replay that one. */
class KeyTakenError extends Error {}

/**
 * Runs a write at most once per (user, route, Idempotency-Key), after the IETF
 * idempotency-key draft: a repeat with the same body gets the stored answer, a repeat
 * with another body is refused (422), a repeat while the first still runs gets 409.
 *
 * Two layers guard it. A Redis lock makes concurrent duplicates answer 409 at once; it
 * lives REQUEST_TIMEOUT_MS + {@link LOCK_MARGIN_MS}, so the key of a process that died
 * mid-request is free again soon after, and a write that outlives REQUEST_TIMEOUT_MS
 * (with a key or without) rolls back instead of committing after its 503. The stored
 * answer is inserted in the write's own transaction under a primary key on (user, route,
 * key), so even with Redis down (or a lock expired early) a duplicate cannot commit a
 * second write — it finds the key taken, rolls back, and replays the first answer.
 *
 * Successes and the 4xx answers the write decided (see `isStorableFailure`) are stored;
 * a failed write's transaction has rolled back, so its answer goes in a statement of its
 * own afterwards. Answers are stored as the JSON text that was sent and replayed as is.
 */
@Injectable()
export class IdempotentRequests {
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly dataSource: DataSource,
    private readonly keys: IdempotencyKeysRepository,
    private readonly locks: RedisLock,
    private readonly metrics: MetricsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.requestTimeoutMs = config.get('http', { infer: true }).requestTimeoutMs;
  }

  async run<T>(
    scope: IdempotencyScope,
    work: (manager: EntityManager, tx: Transaction) => Promise<Answer<T>>,
  ): Promise<IdempotentAnswer> {
    const { key } = scope;
    // Taken before the lock, so the lock outlives it by at least the margin.
    const deadline = Date.now() + this.requestTimeoutMs;
    if (key === undefined) {
      const answer = await this.transactions.run(async (manager, tx) => {
        const result = serialise(await work(manager, tx));
        this.refusePast(deadline);
        return result;
      });
      return { ...answer, replayed: false };
    }
    const fingerprint = requestFingerprint(scope.body);
    const lockName = `idempotency:${scope.userId}:${scope.route}:${key}`;
    const lock = await this.locks.acquire(lockName, this.requestTimeoutMs + LOCK_MARGIN_MS);
    try {
      const stored = await this.find(scope.userId, scope.route, key);
      if (stored) {
        return this.replay(stored, fingerprint);
      }
      if (lock.state === 'busy') {
        throw new IdempotencyKeyInFlightError();
      }
      return await this.runAndStore({ ...scope, key }, fingerprint, deadline, work);
    } finally {
      await this.locks.release(lockName, lock);
    }
  }

  private async runAndStore<T>(
    scope: IdempotencyScope & { key: string },
    fingerprint: string,
    deadline: number,
    work: (manager: EntityManager, tx: Transaction) => Promise<Answer<T>>,
  ): Promise<IdempotentAnswer> {
    let answer: StoredAnswer;
    try {
      answer = await this.transactions.run(async (manager, tx) => {
        const result = serialise(await work(manager, tx));
        if (!(await this.store(manager, scope, fingerprint, result))) {
          throw new KeyTakenError();
        }
        this.refusePast(deadline);
        return result;
      });
    } catch (error) {
      if (!(error instanceof KeyTakenError || isStorableFailure(error))) {
        throw error;
      }
      // A 4xx the write decided (its transaction rolled back): stored on its own.
      if (isStorableFailure(error)) {
        answer = failureAnswer(error, scope.requestId);
        if (await this.store(this.dataSource.manager, scope, fingerprint, answer)) {
          return { ...answer, replayed: false };
        }
      }
      // Another request with this key stored its answer first (Redis was not there to stop us).
      const stored = await this.find(scope.userId, scope.route, scope.key);
      if (!stored) {
        throw error;
      }
      return this.replay(stored, fingerprint);
    }
    return { ...answer, replayed: false };
  }

  /**
   * Called last before COMMIT. Past its deadline the request has been answered 503
   * REQUEST_TIMEOUT (the timeout interceptor stops waiting, but cannot stop this work) and
   * its key's lock may be gone, so a retry may be running: roll back rather than commit
   * behind the client's back.
   */
  private refusePast(deadline: number): void {
    if (Date.now() > deadline) {
      throw new ServiceUnavailableError('REQUEST_TIMEOUT', `The request took longer than ${this.requestTimeoutMs} ms`);
    }
  }

  private store(
    manager: EntityManager,
    scope: IdempotencyScope & { key: string },
    fingerprint: string,
    answer: StoredAnswer,
  ): Promise<boolean> {
    return this.keys.store(
      manager,
      { userId: scope.userId, route: scope.route, key: scope.key },
      { fingerprint, status: answer.status, response: answer.json, headers: answer.headers },
      windowStart(),
    );
  }

  private replay(stored: StoredAnswerRow, fingerprint: string): IdempotentAnswer {
    if (stored.fingerprint !== fingerprint) {
      throw new IdempotencyKeyReusedError();
    }
    this.metrics.idempotencyReplays.inc();
    return { status: stored.status_code, json: stored.response, headers: stored.headers, replayed: true };
  }

  private find(userId: number, route: string, key: string): Promise<StoredAnswerRow | undefined> {
    return this.keys.find({ userId, route, key }, windowStart());
  }
}

/** Answers stored before this are expired: their key is free again. */
function windowStart(): Date {
  return new Date(Date.now() - IDEMPOTENCY_WINDOW_MS);
}

/** Serialised once: the text sent is the text stored. */
function serialise<T>(answer: Answer<T>): StoredAnswer {
  return { status: answer.status, json: JSON.stringify(answer.body), headers: answer.headers };
}
