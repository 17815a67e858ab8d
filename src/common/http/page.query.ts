import { ValidateBy, type ValidationArguments } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { IntQuery } from './dto-fields';

/**
 * How far an offset page may reach: a page must start before this row. The database reads
 * and throws away every row before the page, so a deep page costs as much as all of them.
 */
export const MAX_OFFSET_ROWS = 10_000;

export class PageTooDeepError extends DomainError {
  constructor() {
    super(
      400,
      'PAGE_TOO_DEEP',
      `Offset pages end at row ${MAX_OFFSET_ROWS} ((page - 1) × pageSize must stay below it); ` +
        'narrow the filters or change the sort to reach further',
    );
  }
}

const MAX_PAGE = 1_000_000;
const MAX_PAGE_SIZE = 100;

const inBounds = (value: unknown, max: number): value is number =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max;

/** Whether the page of `page` × `pageSize` starts before {@link MAX_OFFSET_ROWS}. */
export const isWithinOffsetLimit = (page: number, pageSize: number): boolean => (page - 1) * pageSize < MAX_OFFSET_ROWS;

/** The deepest page of `pageSize` an offset list serves: a pager links none past it. */
export const lastOffsetPage = (pageSize: number): number => Math.floor((MAX_OFFSET_ROWS - 1) / pageSize) + 1;

/**
 * `page` / `pageSize` of every paginated list. The OpenAPI type comes from `IntQuery`: the
 * initialisers leave nothing for reflection to read but `Object`, and a parameter typed as
 * an object makes Swagger UI's "Try it out" send nothing and generated clients type it `{}`.
 */
export class PageQuery {
  @IntQuery({ min: 1, max: MAX_PAGE, default: 1, description: 'An offset page must start before row 10000' })
  // Judged only of a page and a page size within their own bounds: a value outside them is
  // malformed (VALIDATION_FAILED, from their own rules), not too deep.
  @ValidateBy(
    {
      name: 'pageDepth',
      validator: {
        validate: (page: unknown, args?: ValidationArguments) => {
          const { pageSize } = args!.object as PageQuery;
          return (
            !inBounds(page, MAX_PAGE) ||
            !inBounds(pageSize, MAX_PAGE_SIZE) ||
            isWithinOffsetLimit(page as number, pageSize)
          );
        },
        defaultMessage: () => new PageTooDeepError().message,
      },
    },
    { context: { error: PageTooDeepError } },
  )
  page: number = 1;

  @IntQuery({ min: 1, max: MAX_PAGE_SIZE, default: 20 })
  pageSize: number = 20;
}
