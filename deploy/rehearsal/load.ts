import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the load generator saw, per pool nginx named in X-Upstream (stable, canary_0, …). */
export type Tally = Record<string, { requests: number; errors5xx: number; checkouts: number; ordersCreated: number }>;

export interface Customer {
  token: string;
  /** Testers send `X-Canary: true` on every request. */
  tester: boolean;
}

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, upstream: response.headers.get('x-upstream') ?? '?', text };
}

/** Registers and logs in `count` customers through nginx, retrying what failed. */
export async function signUp(base: string, count: number, testers: number): Promise<Customer[]> {
  const run = randomBytes(4).toString('hex');
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const credentials = { email: `canary-${run}-${i}@rehearsal.test`, password: 'rehearsal-password-1' };
      for (let attempt = 0; ; attempt++) {
        const registered = await call(base, 'POST', '/v1/auth/register', { ...credentials, name: `Buyer ${i}` });
        const login =
          registered.status === 201 || registered.status === 409
            ? await call(base, 'POST', '/v1/auth/login', credentials)
            : registered;
        if (login.status === 200) {
          return { token: (JSON.parse(login.text) as { accessToken: string }).accessToken, tester: i < testers };
        }
        if (attempt >= 5) {
          throw new Error(`signing up customer ${i} failed: ${login.status} ${login.text.slice(0, 200)}`);
        }
        await sleep(500);
      }
    }),
  );
}

/**
 * Every customer in a loop until `durationMs` is over: a product page, a catalog page and
 * a direct checkout of one unit. Answers are tallied by the pool that gave them.
 */
export async function placeOrders(
  base: string,
  customers: Customer[],
  productId: number,
  durationMs: number,
): Promise<Tally> {
  const tally: Tally = {};
  const count = (upstream: string) =>
    (tally[upstream] ??= { requests: 0, errors5xx: 0, checkouts: 0, ordersCreated: 0 });
  const end = Date.now() + durationMs;
  await Promise.all(
    customers.map(async (customer) => {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${customer.token}`,
        ...(customer.tester ? { 'X-Canary': 'true' } : {}),
      };
      while (Date.now() < end) {
        for (const [method, path, body] of [
          ['GET', `/v1/products/${productId}`, undefined],
          ['GET', '/v1/products?page=1&pageSize=5', undefined],
          ['POST', '/v1/orders', { items: [{ productId, quantity: 1 }] }],
        ] as const) {
          try {
            const answer = await call(base, method, path, body, headers);
            const seen = count(answer.upstream);
            seen.requests++;
            seen.errors5xx += answer.status >= 500 ? 1 : 0;
            if (method === 'POST') {
              seen.checkouts++;
              seen.ordersCreated += answer.status === 201 ? 1 : 0;
            }
          } catch {
            count('network error').requests++;
          }
        }
        // Paced: the rehearsal shares its machine with PostgreSQL, Redis and three services.
        await sleep(50);
      }
    }),
  );
  return tally;
}
