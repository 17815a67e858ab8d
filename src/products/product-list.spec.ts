import { ListProductsQuery, PRODUCT_SORTS, ProductSort } from './dto/list-products.query';
import { likeSubstring, productListStatement, productPageFromRows, type ProductListRow } from './product-list';

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

function listQuery(overrides: Partial<ListProductsQuery> = {}): ListProductsQuery {
  return Object.assign(new ListProductsQuery(), overrides);
}

describe('productListStatement', () => {
  const sqlFor = (query: ListProductsQuery) => {
    const { statement, values } = productListStatement(query);
    return { sql: statement.text, name: statement.name, values };
  };

  it('filters on the active status by default, and skips the soft-deleted products', () => {
    const { sql, values } = sqlFor(listQuery());
    expect(sql).toContain('WHERE status = $1 AND deleted_at IS NULL');
    expect(values).toEqual(['active', 20, 0]);
  });

  it.each([
    [1, 20, 0],
    [2, 20, 20],
    [5, 7, 28],
  ])('page %i of size %i binds LIMIT %i and OFFSET %i', (page, pageSize, offset) => {
    const { sql, values } = sqlFor(listQuery({ page, pageSize }));
    expect(sql).toContain('LIMIT $2 OFFSET $3');
    expect(values).toEqual(['active', pageSize, offset]);
  });

  const expectedOrder: Record<ProductSort, string> = {
    'sales:desc': 'sales DESC, id',
    'price:asc': 'price, id',
    'price:desc': 'price DESC, id',
    'createdAt:desc': 'created_at DESC, id',
  };

  it.each(PRODUCT_SORTS.map((sort) => [sort]))('sorts by %s and breaks ties by id ascending', (sort) => {
    const { sql } = sqlFor(listQuery({ sort }));
    expect(sql).toContain(`ORDER BY ${expectedOrder[sort]} LIMIT`);
    const outer = expectedOrder[sort].replace(/^(\w+)/, 'page.$1').replace(', id', ', page.id');
    expect(sql.endsWith(`ORDER BY ${outer}`)).toBe(true);
  });

  it('binds the search text as a parameter, never inlining it', () => {
    const q = "x%' OR 1=1 --";
    const { sql, values } = sqlFor(listQuery({ q }));
    expect(sql).not.toContain(q);
    expect(sql).not.toContain('OR 1=1');
    expect(sql).toContain(`name ILIKE $4 ESCAPE '\\'`);
    expect(values).toEqual(['active', 20, 0, likeSubstring(q)]);
  });

  it('ignores an empty search text', () => {
    const { sql, values } = sqlFor(listQuery({ q: '' }));
    expect(sql).not.toContain('ILIKE');
    expect(values).toEqual(['active', 20, 0]);
  });

  it('binds the price range, creation date and status filters, in the page and in its count alike', () => {
    const { sql, values } = sqlFor(
      listQuery({ status: 'inactive', minPrice: 0, maxPrice: 5000, createdAfter: '2026-01-01' }),
    );
    const filter = 'WHERE status = $1 AND deleted_at IS NULL AND price >= $4 AND price <= $5 AND created_at > $6';
    expect(sql.split(filter)).toHaveLength(3);
    expect(values).toEqual(['inactive', 20, 0, 0, 5000, new Date('2026-01-01')]);
  });

  it('names one prepared statement per shape: the same text for the same sort and filters', () => {
    const a = productListStatement(listQuery({ minPrice: 10 }));
    const b = productListStatement(listQuery({ minPrice: 99, page: 3 }));
    const c = productListStatement(listQuery({ maxPrice: 10 }));
    expect(b.statement).toBe(a.statement);
    expect(c.statement.name).not.toBe(a.statement.name);
    expect(c.statement.text).not.toBe(a.statement.text);
  });
});

describe('productPageFromRows', () => {
  const row = (id: number, total: number): ProductListRow => ({
    id,
    sku: `S-${id}`,
    name: `Product ${id}`,
    description: '',
    price: 100,
    stock: 1,
    sales: 0,
    status: 'active',
    created_at: new Date('2026-11-23T08:00:00.000Z'),
    updated_at: new Date('2026-11-24T08:00:00.000Z'),
    total,
  });

  it('maps the rows to products in order, with the total they carry', () => {
    const page = productPageFromRows(listQuery({ page: 2, pageSize: 2 }), [row(3, 5), row(4, 5)]);
    expect(page).toEqual({
      items: [expect.objectContaining({ id: 3 }), expect.objectContaining({ id: 4 })],
      page: 2,
      pageSize: 2,
      total: 5,
    });
    expect(page.items[0]).toEqual({
      id: 3,
      sku: 'S-3',
      name: 'Product 3',
      description: '',
      price: 100,
      stock: 1,
      sales: 0,
      status: 'active',
      createdAt: '2026-11-23T08:00:00.000Z',
      updatedAt: '2026-11-24T08:00:00.000Z',
    });
  });

  it('answers an empty page from the one row that carries only the total', () => {
    const empty = { ...row(0, 5), id: null };
    expect(productPageFromRows(listQuery({ page: 9 }), [empty])).toMatchObject({ items: [], total: 5 });
  });
});
