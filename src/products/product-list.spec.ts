import { DataSource } from 'typeorm';
import { ListProductsQuery, PRODUCT_SORTS, ProductSort } from './dto/list-products.query';
import { applyProductListQuery, likeSubstring, totalFromPage } from './product-list';
import { ProductEntity } from './product.entity';

describe('likeSubstring', () => {
  it('wraps plain text in % wildcards', () => {
    expect(likeSubstring('keyboard')).toBe('%keyboard%');
  });

  it.each([
    ['100%', '%100\\%%'],
    ['snake_case', '%snake\\_case%'],
    ['C:\\path', '%C:\\\\path%'],
    ['\\%_', '%\\\\\\%\\_%'],
  ])('escapes the LIKE wildcards in %j', (text, expected) => {
    expect(likeSubstring(text)).toBe(expected);
  });
});

describe('applyProductListQuery', () => {
  // The postgres driver is created (it needs the `pg` package) but never connects.
  const dataSource = new DataSource({ type: 'postgres', entities: [ProductEntity] });

  beforeAll(async () => {
    await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  });

  function listQuery(overrides: Partial<ListProductsQuery> = {}): ListProductsQuery {
    return Object.assign(new ListProductsQuery(), overrides);
  }

  function sqlFor(query: ListProductsQuery) {
    const qb = applyProductListQuery(dataSource.createQueryBuilder(ProductEntity, 'product'), query);
    const [sql, parameters] = qb.getQueryAndParameters();
    return { sql, parameters };
  }

  it('filters on the active status by default', () => {
    const { sql, parameters } = sqlFor(listQuery());
    expect(sql).toMatch(/WHERE \( ?"product"\."status" = \$1 ?\)/);
    expect(parameters).toEqual(['active']);
  });

  it('skips the soft-deleted products', () => {
    expect(sqlFor(listQuery()).sql).toContain('"product"."deleted_at" IS NULL');
  });

  it.each([
    [1, 20, 'LIMIT 20 OFFSET 0'],
    [2, 20, 'LIMIT 20 OFFSET 20'],
    [5, 7, 'LIMIT 7 OFFSET 28'],
  ])('page %i of size %i ends with %s', (page, pageSize, paging) => {
    const { sql } = sqlFor(listQuery({ page, pageSize }));
    expect(sql).toMatch(new RegExp(` ${paging}$`));
  });

  const expectedOrder: Record<ProductSort, string> = {
    'sales:desc': '"product"."sales" DESC',
    'price:asc': '"product"."price" ASC',
    'price:desc': '"product"."price" DESC',
    'createdAt:desc': '"product"."created_at" DESC',
  };

  it.each(PRODUCT_SORTS.map((sort) => [sort]))('sorts by %s and breaks ties by id ascending', (sort) => {
    const { sql } = sqlFor(listQuery({ sort }));
    expect(sql).toContain(`ORDER BY ${expectedOrder[sort]}, "product"."id" ASC LIMIT`);
  });

  it('binds the search text as a parameter, never inlining it', () => {
    const q = "x%' OR 1=1 --";
    const { sql, parameters } = sqlFor(listQuery({ q }));
    expect(sql).not.toContain(q);
    expect(sql).not.toContain('OR 1=1');
    expect(sql).toMatch(/"product"\."name" ILIKE \$2 ESCAPE '\\'/);
    expect(parameters).toEqual(['active', likeSubstring(q)]);
  });

  it('ignores an empty search text', () => {
    const { sql, parameters } = sqlFor(listQuery({ q: '' }));
    expect(sql).not.toContain('ILIKE');
    expect(parameters).toEqual(['active']);
  });

  it('binds the price range, creation date and status filters', () => {
    const { sql, parameters } = sqlFor(
      listQuery({ status: 'inactive', minPrice: 0, maxPrice: 5000, createdAfter: '2026-01-01' }),
    );
    expect(sql).toContain('"product"."price" >= $2');
    expect(sql).toContain('"product"."price" <= $3');
    expect(sql).toContain('"product"."created_at" > $4');
    expect(parameters).toEqual(['inactive', 0, 5000, new Date('2026-01-01')]);
  });
});

describe('totalFromPage', () => {
  it('tells the total from a last page that is neither empty nor full', () => {
    expect(totalFromPage({ page: 1, pageSize: 20 }, 7)).toBe(7);
    expect(totalFromPage({ page: 3, pageSize: 20 }, 5)).toBe(45);
  });

  it('leaves a full or empty page to a count', () => {
    expect(totalFromPage({ page: 1, pageSize: 20 }, 20)).toBeUndefined();
    expect(totalFromPage({ page: 4, pageSize: 20 }, 0)).toBeUndefined();
  });
});
