import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** PostgreSQL's "try again" answers: serialization failure and deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Work that must follow a commit: a cache invalidation, a message, a metric. */
export type AfterCommit = () => unknown;

/** What `work` may hang off its transaction, besides its queries. */
export interface Transaction {
  /**
   * Runs `effect` once this transaction committed: never when it rolled back, and never
   * for an attempt that failed and was retried (only the attempt that commits counts).
   * `run` awaits every effect before it returns, so they have happened when the caller
   * answers; an effect that fails is logged, not thrown: the write stands.
   */
  afterCommit(effect: AfterCommit): void;
}

/**
 * The one way to run a multi-statement write. `run` opens a transaction, hands its
 * `EntityManager` to `work`, commits, and rolls back if `work` throws. Serialization
 * failures and deadlocks are retried with a short jittered backoff. What must follow
 * the commit is registered with `tx.afterCommit` and runs after it.
 *
 * Every query of `work` must go through the manager it is given: a query on another
 * connection escapes the transaction (and on the embedded database, waits forever for
 * the single connection).
 *
 * @example
 * // A repository's write takes the manager of the transaction it runs in.
 * const appended = await transactions.run(async (manager, tx) => {
 *   const order = await orders.lock(manager, { id });
 *   await orders.setStatus(manager, order.id, 'paid');
 *   tx.afterCommit(() => relay.nudge());
 *   return orders.appendEvent(manager, order, 'OrderPaid', { amount });
 * });
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);

  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (manager: EntityManager, tx: Transaction) => Promise<T>, attempts = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // Each attempt collects its own effects: a failed attempt's are dropped with it.
      const effects: AfterCommit[] = [];
      const tx: Transaction = { afterCommit: (effect) => void effects.push(effect) };
      let result: T;
      try {
        result = await this.dataSource.transaction((manager) => work(manager, tx));
      } catch (error) {
        if (attempt >= attempts || !isRetryable(error)) {
          throw error;
        }
        this.logger.warn(`Transaction retried after ${(error as { code?: string }).code} (attempt ${attempt})`);
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
        continue;
      }
      await this.runEffects(effects);
      return result;
    }
  }

  /** Together, not one after another: they are independent, and the caller waits for all. */
  private async runEffects(effects: AfterCommit[]): Promise<void> {
    const settled = await Promise.allSettled(effects.map(async (effect) => effect()));
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        const reason = outcome.reason as Error;
        this.logger.error(`An after-commit effect failed (the transaction stands): ${reason?.message}`, reason?.stack);
      }
    }
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { driverError?: { code?: string } }).driverError?.code;
  return error instanceof QueryFailedError && code !== undefined && RETRYABLE.has(code);
}

/** True when `error` is PostgreSQL's unique violation, optionally on one named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
  return (
    error instanceof QueryFailedError &&
    driverError?.code === '23505' &&
    (constraint === undefined || driverError.constraint === constraint)
  );
}
