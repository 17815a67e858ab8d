import type { Pool, PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';

/**
 * A hot statement run as a named prepared statement: each connection has PostgreSQL parse
 * and plan it once, and afterwards only binds and executes it. That costs no extra round
 * trip (node-postgres sends the Parse with the first execution), and saves the server
 * parsing and planning it on every call.
 *
 * `name` must be unique: node-postgres refuses one name for two texts on a connection.
 * Prepared statements live as long as their connection; PostgreSQL re-plans them itself
 * after DDL on their tables, but a migration that changes the types of the columns a
 * statement returns makes it fail on connections that prepared it before (until
 * DB_CONN_MAX_LIFETIME_S replaces them).
 */
export class PreparedStatement {
  constructor(
    readonly name: string,
    readonly text: string,
  ) {}
}

/**
 * Runs `statement` with `values` in the transaction of `manager` (on its connection, like
 * `manager.query`) and returns the rows. As with `manager.query`, the statement goes
 * through the DataSource's logger and a failure is TypeORM's `QueryFailedError` around
 * the driver's error, so retry, unique-violation and unavailability checks see no
 * difference.
 */
export async function runPrepared<Row>(
  manager: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<Row[]> {
  const runner = manager.queryRunner;
  // Released under the transaction: its connection broke (TypeORM releases a runner when
  // its connection errors). Said the way `manager.query` says it.
  if (runner?.isReleased) {
    throw new QueryRunnerAlreadyReleasedError();
  }
  if (!runner?.isTransactionActive) {
    throw new Error(`The prepared statement ${statement.name} runs only inside a transaction`);
  }
  const client = (await runner.connect()) as PoolClient;
  const logger = runner.dataSource.logger;
  logger.logQuery(statement.text, values, runner);
  try {
    const result = await client.query({ name: statement.name, text: statement.text, values });
    return result.rows as Row[];
  } catch (error) {
    logger.logQueryError(error as Error, statement.text, values, runner);
    throw new QueryFailedError(statement.text, values, error as Error);
  }
}

/**
 * Runs a single read `statement` on a pooled connection of its own, outside any
 * transaction: one round trip, no query runner, no `BEGIN`/`COMMIT`. For one statement
 * that needs no transaction (a list page and its total in one `SELECT`). Logged and
 * failing as {@link runPrepared} does.
 *
 * `statementTimeoutMs`: the statement runs in a transaction of its own with this
 * `statement_timeout` (`SET LOCAL`, so the pooled session keeps its own), for a read whose
 * cost the caller's input decides; two more round trips. Past it PostgreSQL cancels it
 * (57014), which answers 503 `DATABASE_UNAVAILABLE` as any timed-out statement does.
 */
export async function queryPrepared<Row>(
  dataSource: DataSource,
  statement: PreparedStatement,
  values: unknown[],
  options: { statementTimeoutMs?: number } = {},
): Promise<Row[]> {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) {
    throw new Error(`The prepared statement ${statement.name} needs a connected data source`);
  }
  const logger = dataSource.logger;
  logger.logQuery(statement.text, values);
  const timeout = options.statementTimeoutMs;
  // pg-pool itself drops a connection that broke meanwhile when it is released.
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    if (timeout !== undefined) {
      // One round trip for both; the value is an integer, never the caller's text.
      await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.trunc(timeout)}`);
    }
    const result = await client.query({ name: statement.name, text: statement.text, values });
    if (timeout !== undefined) {
      await client.query('COMMIT');
    }
    return result.rows as Row[];
  } catch (error) {
    if (timeout !== undefined) {
      // A session that cannot even roll back is not handed to the next caller.
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
    }
    logger.logQueryError(error as Error, statement.text, values);
    throw new QueryFailedError(statement.text, values, error as Error);
  } finally {
    client.release(broken);
  }
}
