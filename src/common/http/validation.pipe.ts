import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblem, ValidationFailedError } from '../errors/domain-error';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Leaves path parameters alone: their own pipes (such as `IdParamPipe`) parse the raw text. */
class DtoValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/**
 * Validates bodies and queries against their DTO classes: unknown fields are refused,
 * values are converted to the DTO's types, and failures become 400 `VALIDATION_FAILED`
 * with one `details` entry per problem.
 *
 * `formFields`: the values are HTML form fields (all strings), converted to the types
 * the DTO declares (`"2"` → 2; `"x"` → NaN, which fails `@IsInt()` as JSON's `"2"` does).
 */
export function createValidationPipe(options: { formFields?: boolean } = {}): ValidationPipe {
  return new DtoValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: options.formFields ?? false },
    stopAtFirstError: true,
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}
