/** Thrown at once, instead of queueing, when a client's or the queue's waiting room is full. */
export class QueueFullError extends Error {}

export interface FairQueueLimits {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs one client may have waiting; more are refused at once. */
  perClientWaiting: number;
  /** Jobs all clients together may have waiting. */
  totalWaiting: number;
}

/**
 * Runs at most `concurrency` jobs at once; the rest wait, one queue per client. A freed
 * slot goes to the waiting client with the fewest jobs running, and among those to the
 * one served longest ago. So a client with a hundred jobs waiting does not delay another
 * client's job by its backlog: the newcomer gets the next free slot. A full waiting room
 * is answered at once (`QueueFullError`) rather than by waiting longer.
 *
 * @example
 * const queue = new FairQueue({ concurrency: 2, perClientWaiting: 8, totalWaiting: 32 });
 * await queue.run('203.0.113.7', () => hashPassword(password)); // may throw QueueFullError
 */
export class FairQueue {
  private running = 0;
  private waiting = 0;
  private served = 0;
  private readonly queues = new Map<string, Array<() => void>>();
  /** Per client with jobs running or waiting: how many run, and when it was last served. */
  private readonly clients = new Map<string, { running: number; lastServed: number }>();

  constructor(readonly limits: FairQueueLimits) {}

  get size(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting };
  }

  run<T>(client: string, job: () => Promise<T>): Promise<T> {
    if (this.running < this.limits.concurrency) {
      return this.start(client, job);
    }
    const queue = this.queues.get(client);
    if ((queue?.length ?? 0) >= this.limits.perClientWaiting || this.waiting >= this.limits.totalWaiting) {
      return Promise.reject(new QueueFullError('Too many jobs waiting'));
    }
    return new Promise<T>((resolve, reject) => {
      const start = () => void this.start(client, job).then(resolve, reject);
      if (queue) {
        queue.push(start);
      } else {
        this.queues.set(client, [start]);
      }
      this.waiting++;
    });
  }

  private async start<T>(client: string, job: () => Promise<T>): Promise<T> {
    const state = this.clients.get(client) ?? { running: 0, lastServed: 0 };
    state.running++;
    state.lastServed = ++this.served;
    this.clients.set(client, state);
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      state.running--;
      if (state.running === 0 && !this.queues.has(client)) {
        this.clients.delete(client);
      }
      this.next();
    }
  }

  private next(): void {
    let chosen: string | undefined;
    let best = { running: Infinity, lastServed: Infinity };
    for (const client of this.queues.keys()) {
      const state = this.clients.get(client) ?? { running: 0, lastServed: 0 };
      if (state.running < best.running || (state.running === best.running && state.lastServed < best.lastServed)) {
        chosen = client;
        best = state;
      }
    }
    if (chosen === undefined) {
      return;
    }
    const queue = this.queues.get(chosen)!;
    const start = queue.shift()!;
    if (queue.length === 0) {
      this.queues.delete(chosen);
    }
    this.waiting--;
    start();
  }
}
