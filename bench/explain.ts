/**
 * `npm run bench:explain`: `EXPLAIN (ANALYZE, BUFFERS)` of the statements behind the
 * checkout and the product list, on the bench's data (10,000 products, 1,000 users, in
 * the database BENCH_DATABASE names, dropped at the end).
 *
 * The statements come from the built service, not from copies: the checkout's from
 * `CHECKOUT_STATEMENTS` (src/orders/orders.repository.ts) with the parameters the
 * repository binds, inside a transaction that is rolled back; the list's one statement (the
 * page and its total) from `productListStatement` (src/products/product-list.ts), with the
 * values it binds. Each plan is the second of two runs, so the buffers are
 * those of a warm cache, as under load.
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type ObjectLiteral, type QueryRunner } from 'typeorm';
import { stop } from './lib/processes.js';
import { BENCH_DATA, seed } from './lib/seed.js';
import {
  benchPort,
  databaseUrl,
  deleteRedisKeys,
  dropDatabase,
  LOG_DIR,
  recreateDatabase,
  ROOT,
  snapshotService,
  startService,
} from './lib/service.js';

const PORT = benchPort(18087);
/** A product other than the hot one, so the plans are those of `order-random`. */
const PRODUCT_ID = 5_000;
const USER_ID = 1;

interface Statement {
  text: string;
  values(params: object): unknown[];
}
interface PricedLine {
  productId: number;
  quantity: number;
  name: string;
  unitPrice: number;
  subtotal: number;
}
type ListQuery = Record<string, unknown>;

const load = createRequire(__filename);
const dist = (path: string): unknown => load(join(ROOT, 'dist', path));
const { CHECKOUT_STATEMENTS, insertOrderParams } = dist('orders/orders.repository.js') as {
  CHECKOUT_STATEMENTS: { takeStock: Statement; isOnSale: Statement; insertOrder: Statement };
  insertOrderParams(order: { orderSn: string; userId: number; total: number; lines: PricedLine[] }): object;
};
const { priceLine, orderTotal } = dist('orders/order-pricing.js') as {
  priceLine(line: { productId: number; quantity: number }, name: string, unitPrice: number): PricedLine;
  orderTotal(lines: PricedLine[]): number;
};
const { newOrderSn } = dist('orders/order-sn.js') as { newOrderSn(): string };
const { productListStatement } = dist('products/product-list.js') as {
  productListStatement(query: ListQuery): { statement: { text: string }; values: unknown[] };
};
const { ListProductsQuery } = dist('products/dto/list-products.query.js') as { ListProductsQuery: new () => ListQuery };
const { ProductEntity } = dist('products/product.entity.js') as { ProductEntity: new () => ObjectLiteral };

/** The list queries shown: what the service builds for these query strings. */
const LISTS: Array<{ title: string; query: ListQuery }> = [
  { title: 'GET /v1/products (sort=sales:desc, page 1)', query: {} },
  { title: 'GET /v1/products?minPrice=500000', query: { minPrice: 500_000 } },
  { title: 'GET /v1/products?q=123 (pg_trgm)', query: { q: '123' } },
];

async function explain(runner: QueryRunner, sql: string, values: unknown[]): Promise<string> {
  const rows = (await runner.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, values)) as Array<{ 'QUERY PLAN': string }>;
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

function print(title: string, sql: string, plan: string): void {
  console.log(`\n=== ${title}\n${sql.replace(/\s+/g, ' ').trim()}\n\n${plan}`);
}

/** The checkout's statements as one checkout of one line issues them, in a transaction rolled back. */
async function checkout(runner: QueryRunner, shown: boolean): Promise<void> {
  const line = { productId: PRODUCT_ID, quantity: 1 };
  const [product] = (await runner.query('SELECT name, price FROM products WHERE id = $1', [PRODUCT_ID])) as Array<{
    name: string;
    price: number;
  }>;
  const lines = [priceLine(line, product.name, product.price)];
  const order = { orderSn: newOrderSn(), userId: USER_ID, total: orderTotal(lines), lines };
  const { takeStock, isOnSale, insertOrder } = CHECKOUT_STATEMENTS;
  const statements: Array<[string, Statement, object]> = [
    ['checkout: take stock (one per line)', takeStock, line],
    ['checkout: is the product on sale (only after a take returned no row)', isOnSale, line],
    ['checkout: insert the order, its lines, its event and its outbox message', insertOrder, insertOrderParams(order)],
  ];
  await runner.startTransaction();
  try {
    for (const [title, statement, params] of statements) {
      const plan = await explain(runner, statement.text, statement.values(params));
      if (shown) {
        print(title, statement.text, plan);
      }
    }
  } finally {
    await runner.rollbackTransaction();
  }
}

async function lists(runner: QueryRunner, shown: boolean): Promise<void> {
  for (const { title, query } of LISTS) {
    const { statement, values } = productListStatement(Object.assign(new ListProductsQuery(), query));
    const plan = await explain(runner, statement.text, values);
    if (shown) {
      print(`${title}: the page and its total`, statement.text, plan);
    }
  }
}

async function main(): Promise<void> {
  mkdirSync(LOG_DIR, { recursive: true });
  snapshotService();
  await recreateDatabase();
  try {
    // The service applies the migrations; seeding registers a few users over HTTP.
    const service = await startService({ embedded: false, port: PORT, logFile: join(LOG_DIR, 'explain-service.log') });
    try {
      const seeded = await seed({
        baseUrl: `http://127.0.0.1:${PORT}`,
        embedded: false,
        ...BENCH_DATA,
        logins: 0,
      });
      seeded.notes.forEach((note) => console.log(`seed: ${note}`));
    } finally {
      await stop(service);
    }
    const dataSource = new DataSource({ type: 'postgres', url: databaseUrl(), entities: [ProductEntity] });
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    try {
      // What autovacuum does soon after the seed (10,000 inserts pass its insert threshold):
      // statistics, and the trigram index's pending list merged. Before that the planner
      // reckons the GIN index costlier than a scan of every product, and `q` scans.
      await runner.query('VACUUM ANALYZE');
      const version = (await runner.query('SHOW server_version')) as Array<{ server_version: string }>;
      console.log(`PostgreSQL ${version[0].server_version}, after VACUUM ANALYZE; each plan is the second of two runs`);
      for (const shown of [false, true]) {
        await checkout(runner, shown);
        await lists(runner, shown);
      }
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
  } finally {
    await deleteRedisKeys();
    await dropDatabase();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
