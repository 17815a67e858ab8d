import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { TransactionRunner } from '../src/database/transaction-runner';
import { createWorld, startApp, type TestApp, type TestWorld } from './support/test-app';

/** Makes PostgreSQL answer the statement with `sqlstate`, as a real conflict would. */
const raise = (sqlstate: string) => `DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '${sqlstate}'; END $$`;

/**
 * TransactionRunner through Nest's DI, on the app's real database: what work hangs off
 * `tx.afterCommit` runs once the transaction committed, and only then.
 */
describe('TransactionRunner after-commit effects (service, real database)', () => {
  let world: TestWorld;
  let t: TestApp;
  let module: TestingModule;
  let runner: TransactionRunner;
  let logError: jest.SpyInstance;

  const rowsOf = async (tag: string) =>
    Number(
      (
        (await t.dataSource.query(`SELECT count(*)::int AS n FROM tx_effects WHERE tag = $1`, [tag])) as [{ n: number }]
      )[0].n,
    );

  beforeAll(async () => {
    world = await createWorld();
    t = await startApp(world);
    await t.dataSource.query(`CREATE TABLE tx_effects (tag text NOT NULL)`);
    module = await Test.createTestingModule({
      providers: [TransactionRunner, { provide: DataSource, useValue: t.dataSource }],
    }).compile();
    runner = module.get(TransactionRunner);
  });

  afterAll(async () => {
    await module?.close();
    await t?.close();
    await world?.drop();
  });

  beforeEach(() => {
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => logError.mockRestore());

  it('runs an effect after the commit: it sees the committed row from another connection, before run returns', async () => {
    const seen: number[] = [];
    const result = await runner.run(async (manager, tx) => {
      await manager.query(`INSERT INTO tx_effects (tag) VALUES ('committed')`);
      tx.afterCommit(async () => {
        // Outside the transaction: this sees the row only if it committed.
        seen.push(await rowsOf('committed'));
      });
      expect(seen).toEqual([]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual([1]);
  });

  it('never runs an effect of a transaction that rolled back', async () => {
    const effect = jest.fn();
    await expect(
      runner.run(async (manager, tx) => {
        await manager.query(`INSERT INTO tx_effects (tag) VALUES ('rolled-back')`);
        tx.afterCommit(effect);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(effect).not.toHaveBeenCalled();
    expect(await rowsOf('rolled-back')).toBe(0);
  });

  it('runs the effects of the attempt that committed once, not those of an attempt retried after 40001', async () => {
    const effects: number[] = [];
    let attempts = 0;
    await runner.run(async (manager, tx) => {
      const attempt = ++attempts;
      await manager.query(`INSERT INTO tx_effects (tag) VALUES ('retried')`);
      tx.afterCommit(() => effects.push(attempt));
      if (attempt === 1) {
        await manager.query(raise('40001'));
      }
    });
    expect(attempts).toBe(2);
    expect(effects).toEqual([2]);
    expect(await rowsOf('retried')).toBe(1);
  });

  it('runs no effect when every attempt fails', async () => {
    const effect = jest.fn();
    await expect(
      runner.run(async (manager, tx) => {
        tx.afterCommit(effect);
        await manager.query(raise('40P01'));
      }, 2),
    ).rejects.toMatchObject({ driverError: { code: '40P01' } });
    expect(effect).not.toHaveBeenCalled();
  });

  it('logs a failing effect instead of throwing it into the committed write, and still runs the others', async () => {
    const other = jest.fn();
    const result = await runner.run(async (manager, tx) => {
      await manager.query(`INSERT INTO tx_effects (tag) VALUES ('effect-failed')`);
      tx.afterCommit(() => Promise.reject(new Error('Redis is down')));
      tx.afterCommit(other);
      return 42;
    });
    expect(result).toBe(42);
    expect(other).toHaveBeenCalledTimes(1);
    expect(await rowsOf('effect-failed')).toBe(1);
    expect(logError).toHaveBeenCalledWith(expect.stringContaining('Redis is down'), expect.any(String));
  });
});
