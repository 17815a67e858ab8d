import { lastOffsetPage } from '../common/http/page.query';
import type { ListProductsQuery } from '../products/dto/list-products.query';

const DEFAULTS: Partial<Record<keyof ListProductsQuery, unknown>> = {
  page: 1,
  pageSize: 20,
  status: 'active',
  sort: 'sales:desc',
};

/** The catalog's URL for `query` with `changes`, naming only what differs from the defaults. */
export function catalogHref(query: Partial<ListProductsQuery>, changes: Partial<ListProductsQuery> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...query, ...changes })) {
    if (value !== undefined && value !== '' && DEFAULTS[name as keyof ListProductsQuery] !== value) {
      params.set(name, String(value));
    }
  }
  const search = params.toString();
  return search ? `/?${search}` : '/';
}

export interface Pager {
  page: number;
  pages: number;
  previousHref?: string;
  nextHref?: string;
}

/** The pager of a catalog page: no link past the last page, nor past the deepest offset page the list serves. */
export function catalogPager(query: ListProductsQuery, total: number): Pager {
  const pages = Math.max(1, Math.ceil(total / query.pageSize));
  return {
    page: query.page,
    pages,
    previousHref: query.page > 1 ? catalogHref(query, { page: Math.min(query.page - 1, pages) }) : undefined,
    nextHref:
      query.page < Math.min(pages, lastOffsetPage(query.pageSize))
        ? catalogHref(query, { page: query.page + 1 })
        : undefined,
  };
}
