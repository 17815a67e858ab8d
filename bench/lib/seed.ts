import { ADMIN, withDatabase, DATABASE } from './service.js';

export const HOT_PRODUCT_ID = 1;
/** What the bench seeds on the real servers (the profile and the query plans use the same data). */
export const BENCH_DATA = { products: 10_000, users: 1_000 };
export const USER_PASSWORD = 'bench-user-password';

export interface Seeded {
  products: number;
  users: number;
  /** Bearer tokens of customers, obtained by logging in over HTTP. */
  tokens: string[];
  /** How the data got there and how long each part took. */
  notes: string[];
}

export interface SeedOptions {
  baseUrl: string;
  embedded: boolean;
  products: number;
  users: number;
  /** How many of the users log in over HTTP (each login is one scrypt, ~50–100 ms of CPU). */
  logins: number;
}

/**
 * Products and users. With the real PostgreSQL, rows go in with one `INSERT … SELECT
 * generate_series` each; users get a real scrypt hash copied from a user registered over
 * HTTP, so the service accepts their logins. The embedded database belongs to the service
 * process, so there everything goes through the API.
 */
export async function seed(options: SeedOptions): Promise<Seeded> {
  const notes: string[] = [];
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    notes.push(`${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  const api = new Api(options.baseUrl);

  if (options.embedded) {
    const admin = await api.login(ADMIN.email, ADMIN.password);
    await timed(`${options.products} products created over HTTP (POST /v1/products, 16 at a time)`, () =>
      parallel(options.products, 16, (i) => api.post('/v1/products', productBody(i + 1), admin)),
    );
    await timed(`${options.users} users registered over HTTP (8 at a time)`, () =>
      parallel(options.users, 8, (i) => api.register(userEmail(i + 1))),
    );
  } else {
    await timed(`${options.products} products inserted with SQL`, () => insertProducts(options.products));
    const handful = Math.min(4, options.users);
    await timed(`${handful} users registered over HTTP`, () =>
      parallel(handful, handful, (i) => api.register(userEmail(i + 1))),
    );
    await timed(`${options.users - handful} more users inserted with SQL, sharing user 1's scrypt hash`, () =>
      insertUsers(handful + 1, options.users),
    );
  }

  const tokens: string[] = new Array<string>(options.logins);
  await timed(`${options.logins} users logged in over HTTP (8 at a time)`, () =>
    parallel(options.logins, 8, async (i) => {
      tokens[i] = await api.login(userEmail(i + 1), USER_PASSWORD);
    }),
  );
  return { products: options.products, users: options.users, tokens, notes };
}

function userEmail(n: number): string {
  return `user${n}@bench.test`;
}

function productBody(n: number): Record<string, unknown> {
  return {
    sku: `BENCH-${n}`,
    name: `商品 ${n}`,
    description: `A product the benchmark seeded, number ${n}`,
    price: price(n),
    stock: n === HOT_PRODUCT_ID ? 100_000_000 : 1_000_000,
  };
}

/** Spread over 1.00–10,000.00 so price filters select varying slices (same formula as the SQL). */
function price(n: number): number {
  return 100 + Number((BigInt(n) * 2_654_435_761n) % 999_900n);
}

async function insertProducts(count: number): Promise<void> {
  await withDatabase(DATABASE, (client) =>
    client.query(
      `INSERT INTO products (sku, name, description, price, stock, sales, created_at, updated_at)
       SELECT 'BENCH-' || g, '商品 ' || g, 'A product the benchmark seeded, number ' || g,
              100 + (g::bigint * 2654435761) % 999900,
              CASE WHEN g = $2 THEN 100000000 ELSE 1000000 END,
              (g * 7919) % 100000,
              now() - make_interval(secs => g), now()
       FROM generate_series(1, $1::int) AS g`,
      [count, HOT_PRODUCT_ID],
    ),
  );
}

async function insertUsers(from: number, to: number): Promise<void> {
  await withDatabase(DATABASE, (client) =>
    client.query(
      `INSERT INTO users (email, password_hash, name)
       SELECT 'user' || g || '@bench.test', (SELECT password_hash FROM users WHERE email = 'user1@bench.test'),
              'Bench user ' || g
       FROM generate_series($1::int, $2::int) AS g`,
      [from, to],
    ),
  );
}

/** Runs `work(0 … count-1)` with at most `concurrency` in flight. */
async function parallel(count: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      await work(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** The few JSON calls seeding needs, failing loudly on anything unexpected. */
export class Api {
  constructor(private readonly baseUrl: string) {}

  async post(path: string, body: unknown, token?: string): Promise<unknown> {
    return this.call('POST', path, body, token);
  }

  async get(path: string, token?: string): Promise<unknown> {
    return this.call('GET', path, undefined, token);
  }

  async register(email: string): Promise<void> {
    await this.post('/v1/auth/register', { email, password: USER_PASSWORD, name: email.split('@')[0] });
  }

  async login(email: string, password: string): Promise<string> {
    const body = (await this.post('/v1/auth/login', { email, password })) as { accessToken: string };
    return body.accessToken;
  }

  private async call(method: string, path: string, body: unknown, token?: string): Promise<unknown> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
