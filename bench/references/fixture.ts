import { readFileSync } from 'node:fs';

/** The bodies the service answered for the hot read and the hot list, captured by the bench. */
export interface Fixture {
  product: unknown;
  list: unknown;
}

export function loadFixture(): Fixture {
  const path = process.env.BENCH_FIXTURE;
  if (!path) {
    throw new Error('BENCH_FIXTURE must name the JSON file of captured answers');
  }
  return JSON.parse(readFileSync(path, 'utf8')) as Fixture;
}

export const PORT = Number(process.env.PORT ?? 18090);
