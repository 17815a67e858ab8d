import { FairQueue, QueueFullError } from './fair-queue';

/** A job the test finishes by hand, and the order jobs started in. */
function harness(queue: FairQueue) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const submit = (client: string, name: string) =>
    queue.run(
      client,
      () =>
        new Promise<string>((resolve) => {
          started.push(name);
          finishers.set(name, () => resolve(name));
        }),
    );
  const finish = async (name: string) => {
    finishers.get(name)!();
    // let the queue hand the freed slot on
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, submit, finish };
}

describe('FairQueue', () => {
  it('runs up to `concurrency` jobs at once and starts the next as one finishes', async () => {
    const queue = new FairQueue({ concurrency: 2, perClientWaiting: 10, totalWaiting: 10 });
    const { started, submit, finish } = harness(queue);
    const answers = ['a1', 'a2', 'a3'].map((name) => submit('a', name));
    expect(started).toEqual(['a1', 'a2']);
    expect(queue.size).toEqual({ running: 2, waiting: 1 });
    await finish('a1');
    expect(started).toEqual(['a1', 'a2', 'a3']);
    await finish('a2');
    await finish('a3');
    await expect(Promise.all(answers)).resolves.toEqual(['a1', 'a2', 'a3']);
    expect(queue.size).toEqual({ running: 0, waiting: 0 });
  });

  it('gives a freed slot to a newcomer before a client with a backlog', async () => {
    const queue = new FairQueue({ concurrency: 1, perClientWaiting: 10, totalWaiting: 10 });
    const { started, submit, finish } = harness(queue);
    const jobs = ['f1', 'f2', 'f3', 'f4'].map((name) => submit('flood', name));
    jobs.push(submit('innocent', 'i1'));
    await finish('f1');
    expect(started).toEqual(['f1', 'i1']);
    await finish('i1');
    await finish('f2');
    await finish('f3');
    await finish('f4');
    expect(started).toEqual(['f1', 'i1', 'f2', 'f3', 'f4']);
    await Promise.all(jobs);
  });

  it('gives a freed slot to the client with the fewest jobs running', async () => {
    const queue = new FairQueue({ concurrency: 3, perClientWaiting: 10, totalWaiting: 10 });
    const { started, submit, finish } = harness(queue);
    const jobs = ['f1', 'f2', 'f3', 'f4', 'f5'].map((name) => submit('flood', name));
    jobs.push(submit('other', 'o1'), submit('other', 'o2'));
    await finish('f1'); // flood runs 2, other 0: other
    await finish('f2'); // flood runs 1, other 1: flood was served longer ago
    await finish('f3'); // flood 1, other 1
    expect(started).toEqual(['f1', 'f2', 'f3', 'o1', 'f4', 'o2']);
    for (const name of ['o1', 'f4', 'o2', 'f5']) {
      await finish(name);
    }
    await Promise.all(jobs);
  });

  it('serves clients with equal shares in turns, least recently served first', async () => {
    const queue = new FairQueue({ concurrency: 1, perClientWaiting: 10, totalWaiting: 10 });
    const { started, submit, finish } = harness(queue);
    const jobs = [submit('a', 'a1'), submit('a', 'a2'), submit('a', 'a3'), submit('b', 'b1'), submit('b', 'b2')];
    for (const name of ['a1', 'b1', 'a2', 'b2', 'a3']) {
      await finish(name);
    }
    expect(started).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
    await Promise.all(jobs);
  });

  it('refuses at once what would exceed a client’s waiting room, not another client’s', async () => {
    const queue = new FairQueue({ concurrency: 1, perClientWaiting: 2, totalWaiting: 10 });
    const { submit, finish } = harness(queue);
    const accepted = [submit('a', 'a1'), submit('a', 'a2'), submit('a', 'a3')];
    await expect(submit('a', 'a4')).rejects.toBeInstanceOf(QueueFullError);
    const other = submit('b', 'b1');
    expect(queue.size).toEqual({ running: 1, waiting: 3 });
    for (const name of ['a1', 'b1', 'a2', 'a3']) {
      await finish(name);
    }
    await Promise.all([...accepted, other]);
  });

  it('refuses at once what would exceed the total waiting room', async () => {
    const queue = new FairQueue({ concurrency: 1, perClientWaiting: 5, totalWaiting: 2 });
    const { submit, finish } = harness(queue);
    const accepted = [submit('a', 'a1'), submit('b', 'b1'), submit('c', 'c1')];
    await expect(submit('d', 'd1')).rejects.toBeInstanceOf(QueueFullError);
    for (const name of ['a1', 'b1', 'c1']) {
      await finish(name);
    }
    await Promise.all(accepted);
  });

  it('frees the slot of a job that fails', async () => {
    const queue = new FairQueue({ concurrency: 1, perClientWaiting: 5, totalWaiting: 5 });
    const failing = queue.run('a', () => Promise.reject(new Error('boom')));
    const next = queue.run('a', () => Promise.resolve('next'));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    expect(queue.size).toEqual({ running: 0, waiting: 0 });
  });
});
