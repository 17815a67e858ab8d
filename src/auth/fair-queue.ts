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
 * Runs at most `concurrency` jobs at once; the rest wait, one queue per client, served
 * round-robin. So a client with a hundred jobs waiting delays another client's job by at
 * most one of its own (plus what is running), rather than by all of them, and a full
 * waiting room is answered at once rather than by waiting longer.
 *
 * @example
 * const queue = new FairQueue({ concurrency: 2, perClientWaiting: 8, totalWaiting: 32 });
 * await queue.run('ip:203.0.113.7', () => hashPassword(password)); // may throw QueueFullError
 */
export class FairQueue {
  private running = 0;
  private waiting = 0;
  /** Clients with jobs waiting, in the order they are next served. */
  private readonly turns: string[] = [];
  private readonly queues = new Map<string, Array<() => void>>();

  constructor(readonly limits: FairQueueLimits) {}

  get size(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting };
  }

  run<T>(client: string, job: () => Promise<T>): Promise<T> {
    if (this.running < this.limits.concurrency) {
      return this.start(job);
    }
    const queue = this.queues.get(client);
    if ((queue?.length ?? 0) >= this.limits.perClientWaiting || this.waiting >= this.limits.totalWaiting) {
      return Promise.reject(new QueueFullError('Too many jobs waiting'));
    }
    return new Promise<T>((resolve, reject) => {
      const start = () => void this.start(job).then(resolve, reject);
      if (queue) {
        queue.push(start);
      } else {
        this.queues.set(client, [start]);
        this.turns.push(client);
      }
      this.waiting++;
    });
  }

  private async start<T>(job: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.next();
    }
  }

  private next(): void {
    const client = this.turns.shift();
    if (client === undefined) {
      return;
    }
    const queue = this.queues.get(client)!;
    const start = queue.shift()!;
    if (queue.length > 0) {
      this.turns.push(client);
    } else {
      this.queues.delete(client);
    }
    this.waiting--;
    start();
  }
}
