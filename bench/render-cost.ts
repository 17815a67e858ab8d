/**
 * `npm run bench:render`: what a storefront page costs to render from templates compiled
 * once (what the service does) against compiling them for every request, with and without
 * reading them from disk too — the "compile once, execute many" comparison, measured.
 * One process, no server: µs per render of the product page and of a 20-product catalog page.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './lib/service.js';

interface Views {
  render(view: string, data: object): string;
}
interface ViewsModule {
  Views: new (sources: ReadonlyMap<string, string>) => Views;
  readViewSources(dir?: string): ReadonlyMap<string, string>;
}

const { Views, readViewSources } = createRequire(__filename)(
  join(ROOT, 'dist', 'storefront', 'views.js'),
) as ViewsModule;

const shop = {
  csrfToken: 'x'.repeat(43),
  stylesPath: '/assets/shop.0123456789ab.css',
  user: { id: 1, role: 'customer' },
};
const product = (id: number) => ({
  id,
  sku: `BENCH-${id}`,
  name: `无线耳机 ${id}`,
  description: '蓝牙 5.3 真无线耳机，带充电盒 <b>markup is text</b>',
  price: 19900 + id,
  stock: 120,
  sales: 3400,
  status: 'active',
  createdAt: '2026-11-23T08:00:00.000Z',
  updatedAt: '2026-11-23T08:00:00.000Z',
});
const catalogQuery = { page: 1, pageSize: 20, status: 'active', sort: 'sales:desc' };
const PAGES = {
  product: { templates: ['layout', 'product', 'partials/csrf'], data: { shop, product: product(1) } },
  catalog: {
    templates: ['layout', 'catalog', 'partials/pager'],
    data: {
      shop,
      query: catalogQuery,
      result: { items: Array.from({ length: 20 }, (_, i) => product(i + 1)), page: 1, pageSize: 20, total: 45 },
      sorts: ['sales:desc', 'price:asc', 'price:desc', 'createdAt:desc'].map((value) => ({ value, label: value })),
      pager: { page: 1, pages: 3, nextHref: '/?page=2' },
    },
  },
};

/** Median µs per call over `rounds` rounds of `iterations` calls, after a warm-up. */
function measure(work: () => string, iterations: number, rounds = 5): number {
  let sink = 0;
  for (let i = 0; i < iterations; i++) {
    sink += work().length;
  }
  const perCall: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      sink += work().length;
    }
    perCall.push(Number(process.hrtime.bigint() - started) / 1000 / iterations);
  }
  if (sink === 0) {
    throw new Error('rendered nothing');
  }
  return perCall.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

const all = readViewSources();
const compiled = new Views(all);
console.log('µs per render (median of 5 rounds), compiled once vs per request:\n');
console.log(
  `${'page'.padEnd(10)} ${'compiled once'.padStart(14)} ${'compile/request'.padStart(16)} ${'read+compile/req'.padStart(17)}`,
);
for (const [name, { templates, data }] of Object.entries(PAGES)) {
  const used = new Map(templates.map((template) => [template, all.get(template)!]));
  const once = measure(() => compiled.render(name, data), 20_000);
  const perRequest = measure(() => new Views(used).render(name, data), 1_000);
  const fromDisk = measure(() => new Views(readViewSources()).render(name, data), 300);
  console.log(
    `${name.padEnd(10)} ${once.toFixed(1).padStart(14)} ${perRequest.toFixed(1).padStart(16)} ${fromDisk.toFixed(1).padStart(17)}` +
      `   (${(perRequest / once).toFixed(0)}× / ${(fromDisk / once).toFixed(0)}× the compiled render)`,
  );
}
