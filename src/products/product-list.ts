import { PreparedStatement } from '../database/prepared-statements';
import type { ListProductsQuery, ProductSort } from './dto/list-products.query';
import type { ProductDto, ProductPageDto } from './dto/product.dto';
import type { ProductStatus } from './product.entity';

/**
 * Each sort with the id tie-break that makes the order total, so consecutive pages never
 * overlap. Every sort has an index led by `status` (the first migration): `sales:desc`
 * walks `products_status_sales_idx` (status, sales DESC, id) in order and stops after
 * the page; `price:*` and `createdAt:desc` have theirs too.
 */
const ORDER: Record<ProductSort, string[]> = {
  'sales:desc': ['sales DESC', 'id'],
  'price:asc': ['price', 'id'],
  'price:desc': ['price DESC', 'id'],
  'createdAt:desc': ['created_at DESC', 'id'],
};

const orderBy = (sort: ProductSort, table = '') => ORDER[sort].map((term) => table + term).join(', ');

const COLUMNS = 'id, sku, name, description, price, stock, sales, status, created_at, updated_at';

/** A row of the list statement: a product's columns and the total, or (an empty page) only the total. */
export interface ProductListRow {
  id: number | null;
  sku: string;
  name: string;
  description: string;
  price: number;
  stock: number;
  sales: number;
  status: ProductStatus;
  created_at: Date;
  updated_at: Date;
  total: number;
}

/** Escapes LIKE wildcards so `q` is matched as a plain substring. */
export function likeSubstring(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** A filter the list may use: when a query uses it, its condition on parameter `$n`, and the value bound there. */
interface ListFilter {
  name: string;
  usedBy(query: ListProductsQuery): boolean;
  condition(parameter: string): string;
  value(query: ListProductsQuery): unknown;
}

/**
 * The filters, in the order their values are bound. `q` is `ILIKE '%…%'`, served by the
 * trigram index `products_name_trgm_idx` from three characters on.
 */
const FILTERS: ListFilter[] = [
  {
    name: 'q',
    usedBy: (query) => query.q !== undefined && query.q !== '',
    condition: (parameter) => `name ILIKE ${parameter} ESCAPE '\\'`,
    value: (query) => likeSubstring(query.q!),
  },
  {
    name: 'minPrice',
    usedBy: (query) => query.minPrice !== undefined,
    condition: (parameter) => `price >= ${parameter}`,
    value: (query) => query.minPrice,
  },
  {
    name: 'maxPrice',
    usedBy: (query) => query.maxPrice !== undefined,
    condition: (parameter) => `price <= ${parameter}`,
    value: (query) => query.maxPrice,
  },
  {
    name: 'createdAfter',
    usedBy: (query) => query.createdAfter !== undefined,
    condition: (parameter) => `created_at > ${parameter}`,
    value: (query) => new Date(query.createdAfter!),
  },
];

/** The first parameter a filter's value takes: `$1` status, `$2` limit, `$3` offset come first. */
const FIRST_FILTER_PARAMETER = 4;

/**
 * The page and its total in one statement, one round trip. `total` is what the page
 * already tells when it is neither empty nor full (the rows before it plus its own);
 * otherwise the `count(*)` of the filtered rows, which PostgreSQL then runs (an InitPlan
 * is evaluated only when the CASE reaches it). `count(*)`, not TypeORM's
 * `COUNT(DISTINCT id)`: ids are unique, so the DISTINCT only adds a sort or hash of every
 * matching id. The LEFT JOIN answers one row even for an empty page, so
 * the total always comes back; its product columns are then NULL.
 */
function listStatementText(sort: ProductSort, filters: ListFilter[]): string {
  const where = [
    'status = $1',
    'deleted_at IS NULL',
    ...filters.map((filter, index) => filter.condition(`$${FIRST_FILTER_PARAMETER + index}`)),
  ];
  const filtered = `FROM products WHERE ${where.join(' AND ')}`;
  return `WITH page AS (SELECT ${COLUMNS} ${filtered} ORDER BY ${orderBy(sort)} LIMIT $2 OFFSET $3),
  shown AS (SELECT count(*)::int AS rows FROM page)
SELECT page.*, (CASE WHEN shown.rows BETWEEN 1 AND $2 - 1 THEN $3 + shown.rows
                     ELSE (SELECT count(*) ${filtered}) END)::int AS total
FROM shown LEFT JOIN page ON true
ORDER BY ${orderBy(sort, 'page.')}`;
}

/** One prepared statement per shape (sort × filters in use): at most 4 × 16, each parsed once per connection. */
const statements = new Map<string, PreparedStatement>();

/** The list statement for `query` and its values, all bound: nothing of the query is ever inlined. */
export function productListStatement(query: ListProductsQuery): { statement: PreparedStatement; values: unknown[] } {
  const used = FILTERS.filter((filter) => filter.usedBy(query));
  const shape = [query.sort, ...used.map((filter) => filter.name)].join(' ');
  let statement = statements.get(shape);
  if (statement === undefined) {
    statement = new PreparedStatement(`product_list ${shape}`, listStatementText(query.sort, used));
    statements.set(shape, statement);
  }
  const values = [query.status, query.pageSize, (query.page - 1) * query.pageSize, ...used.map((f) => f.value(query))];
  return { statement, values };
}

/** The answer from the statement's rows: its products in order, and the total every row carries. */
export function productPageFromRows(query: ListProductsQuery, rows: ProductListRow[]): ProductPageDto {
  const items: ProductDto[] = [];
  for (const row of rows) {
    if (row.id !== null) {
      items.push({
        id: row.id,
        sku: row.sku,
        name: row.name,
        description: row.description,
        price: row.price,
        stock: row.stock,
        sales: row.sales,
        status: row.status,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      });
    }
  }
  return { items, page: query.page, pageSize: query.pageSize, total: rows[0]?.total ?? 0 };
}
