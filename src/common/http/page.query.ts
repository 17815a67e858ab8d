import { IntQuery } from './dto-fields';

/**
 * `page` / `pageSize` of every paginated list. The OpenAPI type comes from `IntQuery`: the
 * initialisers leave nothing for reflection to read but `Object`, and a parameter typed as
 * an object makes Swagger UI's "Try it out" send nothing and generated clients type it `{}`.
 */
export class PageQuery {
  @IntQuery({ min: 1, max: 1_000_000, default: 1 })
  page: number = 1;

  @IntQuery({ min: 1, max: 100, default: 20 })
  pageSize: number = 20;
}
