export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads every 100 ms until `done` holds and returns that value; fails after `timeoutMs`, saying what it last saw. */
export async function waitFor<T>(
  what: string,
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    }
    await sleep(100);
  }
}

/**
 * Rate limits count in fixed one-minute windows (aligned to the clock's minutes): a test
 * that counts a budget down starts with at least `marginMs` of its window left, so the
 * window cannot roll over halfway and refill the budget.
 */
export async function awayFromMinuteEdge(marginMs = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) {
    await sleep(left + 50);
  }
}
