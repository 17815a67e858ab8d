import { Inject, Injectable } from '@nestjs/common';
import { UsersRepository } from './users.repository';

/** How long an answer about one user is trusted: a deleted user's token works at most this long after. */
export const KNOWN_USER_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/** Where "now" comes from, so tests can move it. */
export interface Clock {
  now(): number;
}
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = { now: () => Date.now() };

interface Entry {
  exists: boolean;
  checkedAt: number;
}

/**
 * Whether the user a token names still exists, asked on every authenticated request.
 * Answers are kept in process for {@link KNOWN_USER_TTL_MS} (bounded to the most recent
 * `MAX_ENTRIES` users), and concurrent questions about one user share one query, so a
 * token costs the database a primary-key lookup per user per 30 s. A user deleted from
 * the `users` table is refused by every instance within 30 s; a cold question while the
 * database is down fails (the caller decides), a stale answer is used instead if there is one.
 */
@Injectable()
export class KnownUsers {
  private readonly known = new Map<number, Entry>();
  private readonly pending = new Map<number, Promise<boolean>>();

  constructor(
    private readonly users: UsersRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  exists(id: number): Promise<boolean> {
    const entry = this.known.get(id);
    if (entry && this.clock.now() - entry.checkedAt < KNOWN_USER_TTL_MS) {
      return Promise.resolve(entry.exists);
    }
    let lookup = this.pending.get(id);
    if (!lookup) {
      lookup = this.load(id, entry).finally(() => this.pending.delete(id));
      this.pending.set(id, lookup);
    }
    return lookup;
  }

  private async load(id: number, stale: Entry | undefined): Promise<boolean> {
    const checkedAt = this.clock.now();
    let exists: boolean;
    try {
      exists = await this.users.exists(id);
    } catch (error) {
      if (stale) {
        return stale.exists;
      }
      throw error;
    }
    this.known.delete(id);
    this.known.set(id, { exists, checkedAt });
    if (this.known.size > MAX_ENTRIES) {
      this.known.delete(this.known.keys().next().value!);
    }
    return exists;
  }
}
