import { IntQuery } from './dto-fields';

/** `page` / `pageSize` of every paginated list. */
export class PageQuery {
  @IntQuery({ min: 1, max: 1_000_000, default: 1 })
  page = 1;

  @IntQuery({ min: 1, max: 100, default: 20 })
  pageSize = 20;
}
