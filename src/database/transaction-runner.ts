import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** PostgreSQL's "try again" answers: serialization failure and deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * The one way to run a multi-statement write. `run` opens a transaction, hands its
 * `EntityManager` to `work`, commits, and rolls back if `work` throws. Serialization
 * failures and deadlocks are retried with a short jittered backoff.
 *
 * Every query of `work` must go through the manager it is given: a query on another
 * connection escapes the transaction (and on the embedded database, waits forever for
 * the single connection).
 *
 * @example
 * const order = await transactions.run(async (manager) => {
 *   await manager.query('UPDATE products SET stock = stock - $1 WHERE id = $2 AND stock >= $1', [qty, id]);
 *   return manager.save(OrderEntity, draft);
 * });
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);

  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (manager: EntityManager) => Promise<T>, attempts = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (attempt >= attempts || !isRetryable(error)) {
          throw error;
        }
        this.logger.warn(`Transaction retried after ${(error as { code?: string }).code} (attempt ${attempt})`);
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
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
