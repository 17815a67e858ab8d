import { SelectQueryBuilder } from 'typeorm';
import type { ListProductsQuery, ProductSort } from './dto/list-products.query';
import type { ProductEntity } from './product.entity';

const ORDER: Record<ProductSort, [column: string, direction: 'ASC' | 'DESC']> = {
  'sales:desc': ['product.sales', 'DESC'],
  'price:asc': ['product.price', 'ASC'],
  'price:desc': ['product.price', 'DESC'],
  'createdAt:desc': ['product.createdAt', 'DESC'],
};

/** Escapes LIKE wildcards so `q` is matched as a plain substring. */
export function likeSubstring(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * The total a page already tells: a page that is neither empty nor full is the last one,
 * so the total is what comes before it plus its own rows (no count query needed).
 * `undefined` when only a count can tell.
 */
export function totalFromPage(query: Pick<ListProductsQuery, 'page' | 'pageSize'>, rows: number): number | undefined {
  return rows > 0 && rows < query.pageSize ? (query.page - 1) * query.pageSize + rows : undefined;
}

/**
 * `count(*)` of the rows `page` filters, without its sort and page. TypeORM's own count
 * (`getManyAndCount`) is `COUNT(DISTINCT id)`, which sorts or hashes every matching id:
 * 12.6 ms against 0.73 ms for `count(*)` over 5,001 of 10,000 products (EXPLAIN ANALYZE
 * on PostgreSQL 15), and on a query without joins the two are equal.
 */
export async function countProducts(page: SelectQueryBuilder<ProductEntity>): Promise<number> {
  const row = await countQuery(page).getRawOne<{ total: number }>();
  return row?.total ?? 0;
}

/** The query {@link countProducts} runs (`npm run bench:explain` shows its plan). */
export function countQuery(page: SelectQueryBuilder<ProductEntity>): SelectQueryBuilder<ProductEntity> {
  return page.clone().orderBy().offset(undefined).limit(undefined).select('count(*)::int', 'total');
}

/**
 * Applies the list filters, sort and page to `qb`, with bound parameters only. The id
 * tie-break makes the order total, so consecutive pages never overlap.
 */
export function applyProductListQuery(
  qb: SelectQueryBuilder<ProductEntity>,
  query: ListProductsQuery,
): SelectQueryBuilder<ProductEntity> {
  qb.where('product.status = :status', { status: query.status });
  if (query.q !== undefined && query.q !== '') {
    qb.andWhere(`product.name ILIKE :q ESCAPE '\\'`, { q: likeSubstring(query.q) });
  }
  if (query.minPrice !== undefined) {
    qb.andWhere('product.price >= :minPrice', { minPrice: query.minPrice });
  }
  if (query.maxPrice !== undefined) {
    qb.andWhere('product.price <= :maxPrice', { maxPrice: query.maxPrice });
  }
  if (query.createdAfter !== undefined) {
    qb.andWhere('product.createdAt > :createdAfter', { createdAfter: new Date(query.createdAfter) });
  }
  const [column, direction] = ORDER[query.sort];
  return qb
    .orderBy(column, direction)
    .addOrderBy('product.id', 'ASC')
    .offset((query.page - 1) * query.pageSize)
    .limit(query.pageSize);
}
