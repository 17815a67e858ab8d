import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { NamedSql } from '../database/named-sql';

/** The scope of a stored answer: one Idempotency-Key of one user on one route. */
export interface IdempotencyKeyOf {
  userId: number;
  route: string;
  key: string;
}

/** A stored answer as it was sent, with the fingerprint of the request that got it. */
export interface StoredAnswerRow {
  fingerprint: string;
  status_code: number;
  response: string;
  headers: Record<string, string>;
}

/** Stores an answer unless the key holds one stored since `:windowStart`; returns a row only when it stored. */
const STORE_ANSWER = new NamedSql<
  IdempotencyKeyOf & {
    fingerprint: string;
    status: number;
    response: string;
    headers: Record<string, string>;
    windowStart: Date;
  }
>(
  `INSERT INTO idempotency_keys AS stored (user_id, route, key, fingerprint, status_code, response, headers)
   VALUES (:userId, :route, :key, :fingerprint, :status, :response, :headers)
   ON CONFLICT (user_id, route, key) DO UPDATE
     SET fingerprint = EXCLUDED.fingerprint, status_code = EXCLUDED.status_code,
         response = EXCLUDED.response, headers = EXCLUDED.headers, created_at = now()
     WHERE stored.created_at < :windowStart
   RETURNING 1`,
);

const FIND_ANSWER = new NamedSql<IdempotencyKeyOf & { windowStart: Date }>(
  `SELECT fingerprint, status_code, response, headers FROM idempotency_keys
   WHERE user_id = :userId AND route = :route AND key = :key AND created_at >= :windowStart`,
);

/**
 * The stored answers of idempotent requests (`idempotency_keys`), each statement visible
 * here as the SQL it is. An answer is stored on the `EntityManager` it is given (the
 * write's own transaction, or the data source's for a failure stored on its own); a
 * stored answer is read outside any transaction.
 */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores `answer` under `key`; false when the key holds an answer stored since `windowStart`. */
  async store(
    manager: EntityManager,
    key: IdempotencyKeyOf,
    answer: { fingerprint: string; status: number; response: string; headers: Record<string, string> },
    windowStart: Date,
  ): Promise<boolean> {
    const rows = await STORE_ANSWER.run(manager, { ...key, ...answer, windowStart });
    return rows.length > 0;
  }

  /** The answer stored under `key` since `windowStart`, if any. */
  async find(key: IdempotencyKeyOf, windowStart: Date): Promise<StoredAnswerRow | undefined> {
    const [stored] = await FIND_ANSWER.run<StoredAnswerRow>(this.dataSource.manager, { ...key, windowStart });
    return stored;
  }
}
