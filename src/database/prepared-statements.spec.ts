import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import { PreparedStatement, queryPrepared, runPrepared } from './prepared-statements';
import { isUniqueViolation } from './transaction-runner';

const statement = new PreparedStatement('take', 'UPDATE t SET n = n - $1 WHERE id = $2 RETURNING n');

function managerWith(query: jest.Mock, state: Partial<QueryRunner> = { isTransactionActive: true }) {
  const logger = { logQuery: jest.fn(), logQueryError: jest.fn() };
  const runner = {
    isReleased: false,
    ...state,
    connect: jest.fn().mockResolvedValue({ query }),
    dataSource: { logger },
  } as unknown as QueryRunner;
  return { manager: { queryRunner: runner } as unknown as EntityManager, runner, logger };
}

describe('runPrepared', () => {
  it("runs the statement by name on the transaction's connection and returns its rows, logged", async () => {
    const query = jest.fn().mockResolvedValue({ rows: [{ n: 4 }], rowCount: 1 });
    const { manager, runner, logger } = managerWith(query);
    await expect(runPrepared(manager, statement, [1, 7])).resolves.toEqual([{ n: 4 }]);
    expect(query).toHaveBeenCalledWith({ name: 'take', text: statement.text, values: [1, 7] });
    expect(logger.logQuery).toHaveBeenCalledWith(statement.text, [1, 7], runner);
  });

  it('fails with a QueryFailedError around the driver error, as manager.query does', async () => {
    const driverError = Object.assign(new Error('duplicate key value'), { code: '23505', constraint: 't_pkey' });
    const { manager, logger } = managerWith(jest.fn().mockRejectedValue(driverError));
    const failure = await runPrepared(manager, statement, [1, 7]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(failure).toMatchObject({ driverError, query: statement.text, parameters: [1, 7] });
    expect(isUniqueViolation(failure, 't_pkey')).toBe(true);
    expect(logger.logQueryError).toHaveBeenCalled();
  });

  it('refuses to run outside a transaction', async () => {
    const query = jest.fn();
    await expect(runPrepared({} as EntityManager, statement, [])).rejects.toThrow('only inside a transaction');
    const idle = managerWith(query, { isTransactionActive: false });
    await expect(runPrepared(idle.manager, statement, [])).rejects.toThrow('only inside a transaction');
    expect(query).not.toHaveBeenCalled();
  });
});

describe('queryPrepared', () => {
  function dataSourceWith(query: jest.Mock) {
    const release = jest.fn();
    const logger = { logQuery: jest.fn(), logQueryError: jest.fn() };
    const pool = { connect: jest.fn().mockResolvedValue({ query, release }) };
    const dataSource = { driver: { master: pool }, logger } as unknown as DataSource;
    return { dataSource, release, logger };
  }

  it('runs the statement by name on a pooled connection, returns its rows and gives the connection back', async () => {
    const query = jest.fn().mockResolvedValue({ rows: [{ n: 4 }], rowCount: 1 });
    const { dataSource, release, logger } = dataSourceWith(query);
    await expect(queryPrepared(dataSource, statement, [1, 7])).resolves.toEqual([{ n: 4 }]);
    expect(query).toHaveBeenCalledWith({ name: 'take', text: statement.text, values: [1, 7] });
    expect(release).toHaveBeenCalledTimes(1);
    expect(logger.logQuery).toHaveBeenCalledWith(statement.text, [1, 7]);
  });

  it('fails with a QueryFailedError around the driver error, and still gives the connection back', async () => {
    const driverError = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const { dataSource, release, logger } = dataSourceWith(jest.fn().mockRejectedValue(driverError));
    const failure = await queryPrepared(dataSource, statement, [1, 7]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(failure).toMatchObject({ driverError, query: statement.text, parameters: [1, 7] });
    expect(release).toHaveBeenCalledTimes(1);
    expect(logger.logQueryError).toHaveBeenCalled();
  });
});
