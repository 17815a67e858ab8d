import { load, type LoadResult } from './load.js';
import { USER_PASSWORD } from './seed.js';

/** What the `auth-flood` scenario measured: one innocent user's login latency, idle and under a flood. */
export interface AuthFloodResult {
  round: number;
  samples: { idle: number; flood: number };
  /** Milliseconds per login of the innocent user, alone and while another client floods. */
  idle: { p50: number; p95: number };
  flood: { p50: number; p95: number };
  /** flood p50 / idle p50: the contract wants ≤ 2. */
  ratio: number;
  /** The flood itself: how many logins were checked (401) and how many were refused at once (503). */
  floodLoad: Pick<LoadResult, 'rps' | 'statusCodes' | 'errors'>;
}

const INNOCENT = { address: '203.0.113.1', email: 'user1@bench.test' };
const FLOODER = { address: '198.51.100.1' };
export const AUTH_FLOOD_CONNECTIONS = 64;

/**
 * `auth-flood`: one client sends logins as fast as 64 connections allow, credential
 * stuffing style (a new email each time, so the per-email lockout never stops it: every
 * one costs a scrypt hash), while another user logs in one request at a time. The two are told apart by `X-Forwarded-For` (the bench starts
 * the service with `TRUST_PROXY=loopback`); `AUTH_RATE_LIMIT_PER_MINUTE` is off there, so
 * what keeps the innocent user's logins fast is the hashing queue's fairness alone.
 */
export async function authFlood(baseUrl: string, round: number, durationS: number): Promise<AuthFloodResult> {
  let stuffed = 0;
  await hashingIdle(baseUrl);
  const idle = await sequentialLogins(baseUrl, Math.max(1, durationS - 0.5));
  const flooding = load({
    url: `${baseUrl}/v1/auth/login`,
    connections: AUTH_FLOOD_CONNECTIONS,
    durationS: durationS + 1,
    setupRequest: (request) => ({
      ...request,
      method: 'POST',
      path: '/v1/auth/login',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': FLOODER.address },
      body: JSON.stringify({ email: `stuffed-${round}-${++stuffed}@bench.test`, password: 'guess-1234' }),
    }),
  });
  // let the flood fill the queue before sampling
  await new Promise((resolve) => setTimeout(resolve, 500));
  const flood = await sequentialLogins(baseUrl, Math.max(1, durationS - 0.5));
  const floodLoad = await flooding;
  const idleStats = stats(idle);
  const floodStats = stats(flood);
  return {
    round,
    samples: { idle: idle.length, flood: flood.length },
    idle: idleStats,
    flood: floodStats,
    ratio: floodStats.p50 / idleStats.p50,
    floodLoad: { rps: floodLoad.rps, statusCodes: floodLoad.statusCodes, errors: floodLoad.errors },
  };
}

/** Waits until the service hashes nothing (a previous flood's queue has drained), read from /metrics. */
async function hashingIdle(baseUrl: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const busy = /^password_hashing_(running|waiting) ([0-9.]+)$/gm;
    if ([...text.matchAll(busy)].every((match) => Number(match[2]) === 0)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The innocent user's logins, one after another for `seconds`: each one's latency in ms. */
async function sequentialLogins(baseUrl: string, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until || latencies.length < 5) {
    const started = performance.now();
    const res = await fetch(`${baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': INNOCENT.address },
      body: JSON.stringify({ email: INNOCENT.email, password: USER_PASSWORD }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) {
      throw new Error(`auth-flood: the innocent user's login answered ${res.status}`);
    }
    latencies.push(performance.now() - started);
  }
  return latencies;
}

function stats(values: number[]): { p50: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: at(50), p95: at(95) };
}

export function formatAuthFlood(result: AuthFloodResult): string {
  const codes = Object.entries(result.floodLoad.statusCodes)
    .map(([code, n]) => `${code}×${n}`)
    .join(' ');
  return (
    `${'service:auth-flood'.padEnd(24)} innocent login p50 ${result.idle.p50.toFixed(1)} ms idle (${result.samples.idle} logins), ` +
    `${result.flood.p50.toFixed(1)} ms during the flood (${result.samples.flood}); ratio ${result.ratio.toFixed(2)}× ` +
    `(p95 ${result.idle.p95.toFixed(1)} → ${result.flood.p95.toFixed(1)} ms); flood ${result.floodLoad.rps.toFixed(0)} req/s [${codes}]`
  );
}
