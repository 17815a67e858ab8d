import { performance } from 'node:perf_hooks';
import { createProduct } from './support/catalog';
import { ADMIN, bearer, createWorld, newCustomer, startApp, TestApp, TestWorld } from './support/test-app';
import { sleep } from './support/wait';

/**
 * The cache's promise to a writer, under load: once a write has answered, every read that
 * starts after it, on any instance, through any level (the response cache, L1, Redis),
 * answers with what was written. Two instances on one database and Redis, readers looping
 * on both while an admin changes the price again and again. Real servers only: the
 * embedded database and the Redis stand-in belong to one process each.
 */
const REAL_SERVERS = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

const ROUNDS = 30;
const READERS_PER_KIND = 3;

interface Read {
  reader: string;
  startedAt: number;
  price: number;
}

describe('Reads after a write, under concurrent readers on two instances', () => {
  let world: TestWorld;
  let a: TestApp;
  let b: TestApp;
  let admin: string;
  let customer: string;

  beforeAll(async () => {
    if (!REAL_SERVERS) {
      return;
    }
    world = await createWorld();
    a = await startApp(world);
    b = await startApp(world);
    admin = await bearer(a.http, ADMIN.email, ADMIN.password);
    customer = (await newCustomer(a.http)).auth;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await world?.drop();
  });

  it('answers every read that starts after a price change has answered with the new price', async () => {
    if (!REAL_SERVERS) {
      return;
    }
    const product = await createProduct(a, admin, { price: 1000 });
    const path = `/v1/products/${product.id}`;
    const reads: Read[] = [];
    let writing = true;

    // Anonymous readers (the response cache may answer them) and bearer readers (never
    // the response cache), on both instances.
    const loop = async (reader: string, instance: TestApp, authorization?: string) => {
      while (writing) {
        const startedAt = performance.now();
        const req = instance.http.get(path);
        const res = await (authorization ? req.set('Authorization', authorization) : req).expect(200);
        reads.push({ reader, startedAt, price: res.body.price as number });
      }
    };
    const readers = [a, b].flatMap((instance, at) =>
      Array.from({ length: READERS_PER_KIND }, (_, n) => [
        loop(`anonymous ${n} on ${'AB'[at]}`, instance),
        loop(`bearer ${n} on ${'AB'[at]}`, instance, customer),
      ]).flat(),
    );

    // Each price higher than the last: a read shows the latest answered write or a newer one.
    const answered: Array<{ at: number; price: number }> = [];
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const price = 1000 + round;
        await (round % 2 === 0 ? a : b).http.patch(path).set('Authorization', admin).send({ price }).expect(200);
        answered.push({ at: performance.now(), price });
        await sleep(20 + (round % 5) * 15);
      }
      await sleep(250); // reads after the last write too
    } finally {
      writing = false;
      await Promise.all(readers);
    }

    const stale = reads.flatMap((read) => {
      const latest = answered.filter((write) => write.at < read.startedAt).at(-1);
      return latest && read.price < latest.price
        ? [`${read.reader} read ${read.price} ${(read.startedAt - latest.at).toFixed(1)} ms after ${latest.price}`]
        : [];
    });
    // Enough reads to mean something: every round was read after it answered.
    const readAfter = answered.filter(
      (write, index) =>
        reads.filter((read) => read.startedAt > write.at && read.startedAt < (answered[index + 1]?.at ?? Infinity))
          .length > 0,
    );
    expect(stale).toEqual([]);
    expect(readAfter).toHaveLength(ROUNDS);
  }, 60_000);
});
