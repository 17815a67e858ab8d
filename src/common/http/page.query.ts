import { ValidateBy, type ValidationArguments } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { IntQuery } from './dto-fields';

/**
 * How far an offset page may reach: a page must start before this row. The database reads
 * and throws away every row before the page, so a deep page costs as much as all of them;
 * past it, cursor pagination (`cursor`) costs what the first page does.
 */
export const MAX_OFFSET_ROWS = 10_000;

export class PageTooDeepError extends DomainError {
  constructor() {
    super(
      400,
      'PAGE_TOO_DEEP',
      `Offset pages end at row ${MAX_OFFSET_ROWS} ((page - 1) × pageSize must stay below it); ` +
        'narrow the filters, or follow nextCursor (cursor pagination) to go deeper',
    );
  }
}

/** Whether the page of `page` × `pageSize` starts before {@link MAX_OFFSET_ROWS}. */
export const isWithinOffsetLimit = (page: number, pageSize: number): boolean => (page - 1) * pageSize < MAX_OFFSET_ROWS;

/**
 * `page` / `pageSize` of every paginated list. The OpenAPI type comes from `IntQuery`: the
 * initialisers leave nothing for reflection to read but `Object`, and a parameter typed as
 * an object makes Swagger UI's "Try it out" send nothing and generated clients type it `{}`.
 */
export class PageQuery {
  @IntQuery({ min: 1, max: 1_000_000, default: 1, description: 'An offset page must start before row 10000' })
  // Checked after page's own rules (and only with a valid pageSize, else that one's rule speaks).
  @ValidateBy(
    {
      name: 'pageDepth',
      validator: {
        validate: (page: unknown, args?: ValidationArguments) => {
          const { pageSize } = args!.object as PageQuery;
          return (
            !Number.isInteger(page) || !Number.isInteger(pageSize) || isWithinOffsetLimit(page as number, pageSize)
          );
        },
        defaultMessage: () => new PageTooDeepError().message,
      },
    },
    { context: { error: PageTooDeepError } },
  )
  page: number = 1;

  @IntQuery({ min: 1, max: 100, default: 20 })
  pageSize: number = 20;
}
