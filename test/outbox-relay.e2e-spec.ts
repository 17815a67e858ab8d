import { Test, type TestingModule } from '@nestjs/testing';
import type { JetStreamClient } from 'nats';
import { DataSource } from 'typeorm';
import { MetricsService } from '../src/metrics/metrics.service';
import { NatsConnectionService } from '../src/messaging/nats-connection';
import { OutboxRepository } from '../src/messaging/outbox.repository';
import { OutboxRelay } from '../src/messaging/outbox-relay.service';
import { placeOrders } from './support/order-events';
import { createWorld, startApp, type TestApp, type TestWorld } from './support/test-app';
import { sleep, waitFor } from './support/wait';

interface Published {
  subject: string;
  msgID: string;
  payload: unknown;
}

/**
 * A JetStream stand-in: records what is published, and can hold publishes (a slow
 * network) or fail them (an outage) on demand.
 */
class FakeJetStream {
  readonly published: Published[] = [];
  failWith: Error | null = null;
  private held: Promise<void> | null = null;
  private release: (() => void) | null = null;
  waiting = 0;

  hold(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }
  letGo(): void {
    this.release?.();
    this.held = null;
  }

  async publish(subject: string, data: Uint8Array, options: { msgID: string }): Promise<{ seq: number }> {
    if (this.held) {
      this.waiting++;
      await this.held;
      this.waiting--;
    }
    if (this.failWith) {
      throw this.failWith;
    }
    this.published.push({ subject, msgID: options.msgID, payload: JSON.parse(Buffer.from(data).toString()) });
    return { seq: this.published.length };
  }
}

/** The relay alone, with the app's database and a fake NATS, through Nest's DI as the app wires it. */
async function startRelay(dataSource: DataSource, js: FakeJetStream): Promise<TestingModule> {
  const nats = { configured: true, jetstream: async () => js as unknown as JetStreamClient };
  const module = await Test.createTestingModule({
    providers: [
      OutboxRelay,
      OutboxRepository,
      MetricsService,
      { provide: NatsConnectionService, useValue: nats },
      { provide: DataSource, useValue: dataSource },
    ],
  }).compile();
  await module.init();
  return module;
}

const ids = (published: Published[]) => published.map((p) => p.msgID);

describe('Outbox relay (service, with a fake JetStream)', () => {
  let world: TestWorld;
  let t: TestApp;
  const relays: TestingModule[] = [];
  const relay = async (js: FakeJetStream) => {
    const module = await startRelay(t.dataSource, js);
    relays.push(module);
    return module;
  };
  const unpublished = async (eventIds: string[]) =>
    (
      (await t.dataSource.query(`SELECT id FROM outbox WHERE id = ANY($1::uuid[]) AND published_at IS NULL`, [
        eventIds,
      ])) as unknown[]
    ).length;

  beforeAll(async () => {
    world = await createWorld();
    t = await startApp(world); // no NATS_URL: the app's own relay publishes nothing
  });
  afterEach(async () => {
    for (const module of relays.splice(0)) {
      await module.close();
    }
    // Every test starts with the lease free and nothing left to publish.
    await t.dataSource.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL`);
    await t.dataSource.query(`UPDATE outbox_relay_lease SET expires_at = '-infinity'`);
  });
  afterAll(async () => {
    await t?.close();
    await world?.drop();
  });

  it('publishes what checkouts wrote, oldest first with the event id as message id, and marks and counts it', async () => {
    const events = await placeOrders(t, 3);
    const js = new FakeJetStream();
    const module = await relay(js);

    await waitFor(
      'the rows marked',
      () => unpublished(events.map((e) => e.id)),
      (n) => n === 0,
    );
    expect(js.published).toEqual(events.map((e) => ({ subject: e.subject, msgID: e.id, payload: e.payload })));
    const metrics = await module.get(MetricsService).registry.getSingleMetricAsString('outbox_published_total');
    expect(metrics).toMatch(/^outbox_published_total 3$/m);
  });

  it('holds no transaction, row lock or pooled connection while a publish is under way', async () => {
    const [event] = await placeOrders(t, 1);
    const js = new FakeJetStream();
    js.hold();
    await relay(js);
    await waitFor(
      'a publish in flight',
      () => js.waiting,
      (n) => n === 1,
    );

    // The row can be locked at once by anyone else, and no session of this database sits in a transaction.
    await t.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT id FROM outbox WHERE id = $1 FOR UPDATE NOWAIT`, [event.id]);
    });
    const [{ open }] = (await t.dataSource.query(
      `SELECT count(*)::int AS open FROM pg_stat_activity
       WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    )) as Array<{ open: number }>;
    expect(open).toBe(0);

    js.letGo();
    await waitFor(
      'the row marked',
      () => unpublished([event.id]),
      (n) => n === 0,
    );
  });

  it('stops a batch at a failed publish, records the error, and later publishes the rest in order', async () => {
    const events = await placeOrders(t, 3);
    const js = new FakeJetStream();
    js.failWith = new Error('503 no responders');
    await relay(js);

    const [first] = await waitFor(
      'a recorded failure',
      () =>
        t.dataSource.query(`SELECT attempts, last_error FROM outbox WHERE id = $1`, [events[0].id]) as Promise<
          Array<{ attempts: number; last_error: string | null }>
        >,
      ([row]) => row.attempts > 0,
    );
    expect(first.last_error).toBe('503 no responders');
    expect(await unpublished(events.map((e) => e.id))).toBe(3);
    // Only the oldest row was tried: a later one never overtakes it.
    const tried = (await t.dataSource.query(`SELECT id FROM outbox WHERE id = ANY($1::uuid[]) AND attempts > 0`, [
      events.map((e) => e.id),
    ])) as Array<{ id: string }>;
    expect(tried.map((r) => r.id)).toEqual([events[0].id]);

    js.failWith = null;
    await waitFor(
      'the rows marked',
      () => unpublished(events.map((e) => e.id)),
      (n) => n === 0,
      15_000,
    );
    expect(ids(js.published)).toEqual(events.map((e) => e.id));
  });

  it('lets one instance publish at a time; another takes over when it shuts down or its lease runs out', async () => {
    const first = new FakeJetStream();
    const second = new FakeJetStream();
    const firstRelay = await relay(first);
    await waitFor(
      'the first relay to take the lease',
      () =>
        t.dataSource.query(`SELECT expires_at > now() AS held FROM outbox_relay_lease`) as Promise<
          Array<{ held: boolean }>
        >,
      ([row]) => row.held,
    );
    await relay(second);
    const events = await placeOrders(t, 2);
    await waitFor(
      'the rows marked',
      () => unpublished(events.map((e) => e.id)),
      (n) => n === 0,
    );
    expect(ids(first.published)).toEqual(events.map((e) => e.id));
    expect(second.published).toEqual([]);

    // A clean shutdown hands the lease back: the second relay publishes the next rows.
    await firstRelay.close();
    relays.splice(relays.indexOf(firstRelay), 1);
    const later = await placeOrders(t, 1);
    await waitFor(
      'the second relay to publish',
      () => ids(second.published),
      (got) => got.includes(later[0].id),
    );

    // A relay that died keeps its lease until it expires; nobody publishes before that.
    await t.dataSource.query(
      `UPDATE outbox_relay_lease SET holder = gen_random_uuid(), expires_at = clock_timestamp() + interval '1 minute'`,
    );
    const afterCrash = await placeOrders(t, 1);
    await sleep(700); // two of the live relay's passes
    expect(await unpublished([afterCrash[0].id])).toBe(1);
    await t.dataSource.query(`UPDATE outbox_relay_lease SET expires_at = clock_timestamp() - interval '1 second'`);
    await waitFor(
      'the lease to pass on',
      () => unpublished([afterCrash[0].id]),
      (n) => n === 0,
    );
    expect(ids(second.published)).toContain(afterCrash[0].id);
  });
});
