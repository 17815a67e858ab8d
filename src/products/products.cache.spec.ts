import { attachAuthUser } from '../common/auth-context/auth-user';
import type { CacheReader } from '../cache/cached.options';
import { ListProductsQuery } from './dto/list-products.query';
import { CACHED_PRODUCT, CACHED_PRODUCT_LIST, isActiveProductJson, listQueryCacheId } from './products.cache';

const product = (fields: Record<string, unknown>) =>
  JSON.stringify({
    id: 1,
    sku: 'S',
    name: 'N',
    description: '',
    price: 1,
    stock: 1,
    sales: 0,
    status: 'active',
    ...fields,
  });

const reader = (query: Record<string, unknown>, role?: 'admin' | 'customer'): CacheReader => {
  const req = { params: { id: '1' }, query } as unknown as CacheReader;
  if (role) {
    attachAuthUser(req, { id: 1, role, jti: 'j', exp: 0 });
  }
  return req;
};

describe('product cache options', () => {
  it('tells an active product from an inactive one by its JSON, whatever its name says', () => {
    expect(isActiveProductJson(product({}))).toBe(true);
    expect(isActiveProductJson(product({ status: 'inactive' }))).toBe(false);
    const forged = product({ status: 'inactive', name: '"status":"active"', description: '","status":"active"' });
    expect(isActiveProductJson(forged)).toBe(false);
  });

  it('hides an inactive product from all but an admin', () => {
    const inactive = product({ status: 'inactive' });
    expect(CACHED_PRODUCT.hides?.(inactive, reader({}))).toBe(true);
    expect(CACHED_PRODUCT.hides?.(inactive, reader({}, 'customer'))).toBe(true);
    expect(CACHED_PRODUCT.hides?.(inactive, reader({}, 'admin'))).toBe(false);
    expect(CACHED_PRODUCT.hides?.(product({}), reader({}))).toBe(false);
  });

  it('refuses a list of another status to all but an admin, and leaves other values to validation', () => {
    expect(CACHED_PRODUCT_LIST.refuse?.(reader({ status: 'inactive' }))?.code).toBe('FORBIDDEN');
    expect(CACHED_PRODUCT_LIST.refuse?.(reader({ status: 'inactive' }, 'customer'))?.status).toBe(403);
    for (const query of [{ status: 'inactive' }, { status: 'active' }, {}]) {
      expect(CACHED_PRODUCT_LIST.refuse?.(reader(query, 'admin'))).toBeUndefined();
    }
    for (const query of [{ status: 'active' }, {}, { status: 'bogus' }, { status: ['inactive', 'inactive'] }]) {
      expect(CACHED_PRODUCT_LIST.refuse?.(reader(query))).toBeUndefined();
    }
  });

  it('keys a list by the values its query parses to, the same from raw text and from the validated DTO', () => {
    const id = (query: Record<string, unknown>) => CACHED_PRODUCT_LIST.id(reader(query));
    const parsed = listQueryCacheId(Object.assign(new ListProductsQuery(), { page: 5000, pageSize: 100, q: '商' }));
    expect(id({ q: '商', page: '0005000', pageSize: '100' })).toBe(parsed);
    expect(id({ pageSize: '100', page: '5000', q: '商', status: 'active', sort: 'sales:desc' })).toBe(parsed);
    expect(id({})).toBe(listQueryCacheId(new ListProductsQuery()));
    // different values are different queries; what does not parse keys no valid query's entry
    expect(id({ q: '商', page: '5000', pageSize: '99' })).not.toBe(parsed);
    const ownProto = JSON.parse('{"__proto__":"1"}') as Record<string, unknown>; // an own key, as parsed from a query
    for (const odd of [{ page: '5e3' }, { page: ['1', '1'] }, { constructor: '1' }, ownProto]) {
      expect(id(odd)).not.toBe(id({}));
    }
  });
});
