import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { BadRequestParameterError, DomainError, FieldProblem, ValidationFailedError } from '../errors/domain-error';
import { undeclaredField } from './declared-fields';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * A rule may name the error it answers with (`{ context: { error: PageTooDeepError } }`),
 * for a problem a client must tell apart from a malformed request. That error answers
 * when it is the only problem; with others, all are listed as `VALIDATION_FAILED`.
 */
function toError(errors: ValidationError[]): DomainError {
  const contexts = errors.length === 1 && !errors[0].children?.length ? Object.values(errors[0].contexts ?? {}) : [];
  const own = contexts.find((context: { error?: unknown }) => typeof context.error === 'function') as
    { error: new () => DomainError } | undefined;
  return own && Object.keys(errors[0].constraints ?? {}).length === 1
    ? new own.error()
    : new ValidationFailedError(flatten(errors));
}

const NUL = '\u0000';
/** With the `u` flag a surrogate pair is one code point, so `\p{Cs}` matches only the unpaired ones. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ALL = /\p{Cs}/gu;

export interface TextProblem {
  /** Where: `items.0.name`, or `''` for the value itself. */
  field: string;
  problem: string;
}

function problemOf(text: string): string | undefined {
  if (text.includes(NUL)) {
    return 'must not contain a NUL character';
  }
  // A lone surrogate (`"\ud800"` in JSON) is no text: PostgreSQL and validators refuse or choke on it.
  return !LONE_SURROGATE.test(text) ? undefined : 'must be well-formed Unicode (no lone surrogates)';
}

/** The first string or key in `value` that is no storable text (a NUL, a lone surrogate), and what is wrong with it. */
export function textProblem(value: unknown, path = ''): TextProblem | undefined {
  if (typeof value === 'string') {
    const problem = problemOf(value);
    return problem ? { field: path, problem } : undefined;
  }
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    const problem = problemOf(key);
    if (problem) {
      return { field: field.replaceAll(NUL, '\\0').replace(LONE_SURROGATE_ALL, '\uFFFD'), problem };
    }
    const found = textProblem(item, field);
    if (found) {
      return found;
    }
  }
  return undefined;
}

/**
 * Refuses text no column can hold — a NUL character (PostgreSQL text cannot), a lone
 * surrogate — anywhere in a body, query or path parameter, and any name the DTO does not
 * declare, before any DTO sees it; and
 * leaves path parameters to their own pipes (such as `IdParamPipe`), which parse the raw text.
 */
class DtoValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const found = textProblem(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
      if (found) {
        const message = `${found.field || 'the body'} ${found.problem}`;
        throw metadata.type === 'param'
          ? new BadRequestParameterError(message)
          : new ValidationFailedError([{ field: found.field, message }]);
      }
    }
    if ((metadata.type === 'body' || metadata.type === 'query') && metadata.metatype && this.toValidate(metadata)) {
      // Judged here, on the input as it arrived: the transformer would drop some names unseen.
      const unknown = undeclaredField(value, metadata.metatype as abstract new () => object);
      if (unknown !== undefined) {
        const name = unknown.slice(unknown.lastIndexOf('.') + 1);
        throw new ValidationFailedError([{ field: unknown, message: `property ${name} should not exist` }]);
      }
    }
    return super.transform(value, metadata);
  }

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
    exceptionFactory: toError,
  });
}
