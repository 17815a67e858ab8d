import { ListProductsQuery } from '../products/dto/list-products.query';
import { catalogHref, catalogPager } from './catalog-links';

function query(fields: Partial<ListProductsQuery>): ListProductsQuery {
  return Object.assign(new ListProductsQuery(), fields);
}

describe('catalog links', () => {
  it('names only the parameters that differ from the defaults', () => {
    expect(catalogHref(query({}))).toBe('/');
    expect(catalogHref(query({ q: '耳机', maxPrice: 20000 }), { page: 2 })).toBe(
      `/?page=2&q=${encodeURIComponent('耳机')}&maxPrice=20000`,
    );
    expect(catalogHref(query({ sort: 'price:asc' }), { page: 1 })).toBe('/?sort=price%3Aasc');
  });

  it('pages forward and back within the results', () => {
    expect(catalogPager(query({ page: 1, pageSize: 20 }), 45)).toEqual({
      page: 1,
      pages: 3,
      previousHref: undefined,
      nextHref: '/?page=2',
    });
    expect(catalogPager(query({ page: 3, pageSize: 20 }), 45)).toMatchObject({
      previousHref: '/?page=2',
      nextHref: undefined,
    });
    expect(catalogPager(query({}), 0)).toMatchObject({ pages: 1, previousHref: undefined, nextHref: undefined });
  });

  it('links no page that starts at row 10000 or later (the list refuses it)', () => {
    expect(catalogPager(query({ page: 499, pageSize: 20 }), 300_000).nextHref).toBe('/?page=500');
    expect(catalogPager(query({ page: 500, pageSize: 20 }), 300_000)).toMatchObject({
      previousHref: '/?page=499',
      nextHref: undefined,
    });
  });
});
