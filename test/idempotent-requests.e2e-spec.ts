import { ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type Transaction, TransactionRunner } from '../src/database/transaction-runner';
import { MetricsService } from '../src/metrics/metrics.service';
import { IdempotencyKeyInFlightError, IdempotencyKeyReusedError } from '../src/orders/idempotency';
import { IdempotencyKeysRepository } from '../src/orders/idempotency-keys.repository';
import { IdempotentRequests, type IdempotencyScope } from '../src/orders/idempotent-requests.service';
import { RedisLock, type LockResult } from '../src/redis/redis-lock';
import { createWorld, newCustomer, startApp, type TestApp, type TestWorld } from './support/test-app';

/** The key lock, under the test's control: free, held by another request, or Redis down. */
class FakeLock {
  state: LockResult['state'] = 'acquired';
  released = 0;

  async acquire(): Promise<LockResult> {
    return this.state === 'acquired' ? { state: 'acquired', token: randomUUID() } : { state: this.state };
  }
  async release(): Promise<void> {
    this.released++;
  }
}

/**
 * IdempotentRequests through Nest's DI, on the app's real database, with a lock the test
 * controls: the in-flight 409, the replay, the 422 for another body, and with Redis
 * down, one write for two concurrent duplicates.
 */
describe('IdempotentRequests (service, real database, a controllable lock)', () => {
  let world: TestWorld;
  let t: TestApp;
  let module: TestingModule;
  let idempotent: IdempotentRequests;
  let lock: FakeLock;
  let userId: number;

  /** A write (one row) that answers 201 with the row's number, and counts its after-commit effect. */
  const effects: string[] = [];
  const write = (tag: string) =>
    jest.fn(async (manager: EntityManager, tx: Transaction) => {
      const [{ n }] = (await manager.query(`INSERT INTO idem_writes (tag) VALUES ($1) RETURNING n`, [tag])) as [
        { n: number },
      ];
      tx.afterCommit(() => effects.push(tag));
      return { status: 201, body: { n, tag }, headers: { Location: `/things/${n}` } };
    });
  const writes = async (tag: string) =>
    (
      (await t.dataSource.query(`SELECT count(*)::int AS c FROM idem_writes WHERE tag = $1`, [tag])) as [{ c: number }]
    )[0].c;
  const scope = (key: string, body: unknown): IdempotencyScope => ({
    userId,
    route: 'POST /things',
    key,
    body,
    requestId: randomUUID(),
  });

  beforeAll(async () => {
    world = await createWorld();
    t = await startApp(world);
    userId = (await newCustomer(t.http)).id;
    await t.dataSource.query(`CREATE TABLE idem_writes (n serial PRIMARY KEY, tag text NOT NULL)`);
    lock = new FakeLock();
    module = await Test.createTestingModule({
      providers: [
        IdempotentRequests,
        IdempotencyKeysRepository,
        TransactionRunner,
        MetricsService,
        { provide: DataSource, useValue: t.dataSource },
        { provide: RedisLock, useValue: lock },
        { provide: ConfigService, useValue: { get: () => ({ requestTimeoutMs: 30_000 }) } },
      ],
    }).compile();
    idempotent = module.get(IdempotentRequests);
  });

  afterAll(async () => {
    await module?.close();
    await t?.close();
    await world?.drop();
  });

  beforeEach(() => {
    lock.state = 'acquired';
    effects.length = 0;
  });

  it('replays the stored answer, byte for byte, for a repeat with the same body; the write runs once', async () => {
    const key = randomUUID();
    const work = write('replay');
    const first = await idempotent.run(scope(key, { a: 1, b: [2] }), work);
    // The same body, its keys in another order: the same request.
    const again = await idempotent.run(scope(key, { b: [2], a: 1 }), work);
    expect(first).toMatchObject({ status: 201, replayed: false });
    expect(again).toEqual({ ...first, replayed: true });
    expect(work).toHaveBeenCalledTimes(1);
    expect(await writes('replay')).toBe(1);
    expect(effects).toEqual(['replay']);
    expect(lock.released).toBeGreaterThanOrEqual(2);
  });

  it('answers 409 IDEMPOTENCY_KEY_IN_FLIGHT while another request holds the key, without running the write', async () => {
    lock.state = 'busy';
    const work = write('in-flight');
    const refused = idempotent.run(scope(randomUUID(), {}), work);
    await expect(refused).rejects.toBeInstanceOf(IdempotencyKeyInFlightError);
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
    expect(work).not.toHaveBeenCalled();
    expect(await writes('in-flight')).toBe(0);
  });

  it('replays rather than 409s when the key is busy but its answer is already stored', async () => {
    const key = randomUUID();
    const first = await idempotent.run(scope(key, { x: 1 }), write('stored-then-busy'));
    lock.state = 'busy';
    expect(await idempotent.run(scope(key, { x: 1 }), write('stored-then-busy'))).toEqual({ ...first, replayed: true });
  });

  it('refuses a repeat with another body with 422 IDEMPOTENCY_KEY_REUSED, and writes nothing', async () => {
    const key = randomUUID();
    await idempotent.run(scope(key, { quantity: 1 }), write('reused'));
    const other = write('reused');
    const refused = idempotent.run(scope(key, { quantity: 2 }), other);
    await expect(refused).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expect(refused).rejects.toMatchObject({ status: 422 });
    expect(other).not.toHaveBeenCalled();
    expect(await writes('reused')).toBe(1);
  });

  it('with Redis down, commits one of two concurrent duplicates; the other rolls back, replays, and has no effect', async () => {
    lock.state = 'unavailable';
    const key = randomUUID();
    const [a, b] = await Promise.all([
      idempotent.run(scope(key, { same: true }), write('no-lock')),
      idempotent.run(scope(key, { same: true }), write('no-lock')),
    ]);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(a.json).toBe(b.json);
    expect(await writes('no-lock')).toBe(1);
    expect(effects).toEqual(['no-lock']);
  });
});
