import type { PipeTransform, Type } from '@nestjs/common';
import { createValidationPipe } from '../common/http/validation.pipe';

const validation = createValidationPipe({ formFields: true });

/**
 * Validates an HTML form's fields (a query string or a posted form) against a DTO of the
 * API, with the API's own validation pipe — so a page takes exactly what its JSON twin
 * takes. Two things differ for forms only, and are undone first: a browser sends every
 * field, so an empty one means "not given"; and `_csrf` is the form's, checked by
 * `ShopGuard` before this runs.
 *
 * Handlers declare the parameter as a plain record, which the global pipe leaves alone.
 */
export class FormFieldsPipe<T extends object> implements PipeTransform<Record<string, unknown>, Promise<T>> {
  constructor(private readonly dto: Type<T>) {}

  async transform(fields: Record<string, unknown> | undefined): Promise<T> {
    const given = Object.fromEntries(
      Object.entries(fields ?? {}).filter(([name, value]) => name !== '_csrf' && value !== ''),
    );
    return (await validation.transform(given, { type: 'body', metatype: this.dto })) as T;
  }
}

/** `@Query(Form(ListProductsQuery))` / `@Body(Form(LoginDto))`. */
export const Form = <T extends object>(dto: Type<T>) => new FormFieldsPipe(dto);
