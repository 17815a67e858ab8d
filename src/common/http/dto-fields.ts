import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsObject,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { NestedDto } from './declared-fields';
import { isIsoDateTime } from './iso-date-time';

/**
 * The field decorators every request DTO uses, so that a class of input is checked one
 * way everywhere: integers always have bounds (a PostgreSQL `integer` column holds
 * 2³¹−1), an optional field may be absent but not `null`, arrays of objects hold objects,
 * and numbers in query strings are plain decimal digits.
 */

export const MAX_INT32 = 2_147_483_647;

interface IntOptions {
  min: number;
  max: number;
  example?: number;
  description?: string;
  default?: number;
  optional?: boolean;
}

/** Absent is fine; `null` is a value like any other, and fails the field's checks. */
export function OptionalField(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** A JSON integer within `min` … `max` (both required: no integer is unbounded). */
export function IntField(options: IntOptions): PropertyDecorator {
  const { min, max, optional, ...documented } = options;
  return applyDecorators(
    ApiProperty({
      type: 'integer',
      format: min >= -MAX_INT32 - 1 && max <= MAX_INT32 ? 'int32' : 'int64',
      minimum: min,
      maximum: max,
      required: !optional,
      ...documented,
    }),
    ...(optional ? [OptionalField()] : []),
    IsInt(),
    Min(min),
    Max(max),
  );
}

/** A query parameter's text as an integer field reads it: plain decimal digits become the number, anything else stays as it is (and fails the field's rules). */
export const parseIntQuery = (value: unknown): unknown =>
  typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;

/**
 * An integer query parameter: plain decimal digits only (`0x10`, `1e3`, ` 7`, `+7`, `7.0`
 * and the empty string are refused, leading zeros are not), within `min` … `max`.
 */
export function IntQuery(options: Omit<IntOptions, 'optional'>): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => parseIntQuery(value)),
    IntField({ ...options, optional: true }),
  );
}

/** An array of `min` … `max` objects, each validated as `type`; `[[]]`, `[null]` and `[1]` are refused. */
export function ObjectArrayField(
  type: () => new () => object,
  options: { min: number; max: number },
): PropertyDecorator {
  return applyDecorators(
    IsArray(),
    ArrayMinSize(options.min),
    ArrayMaxSize(options.max),
    IsObject({ each: true, message: '$property must hold objects only' }),
    ValidateNested({ each: true }),
    Type(type),
    NestedDto(type),
  );
}

/**
 * An ISO-8601 calendar date (`2026-01-01`, UTC midnight) or date-time with `Z` or an
 * offset; week dates, ordinal dates, the basic format, impossible days and local times
 * without an offset are refused.
 */
export function IsoDateTimeQuery(options: { description: string; example: string }): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: 'string', required: false, ...options }),
    OptionalField(),
    IsString(),
    ValidateBy({
      name: 'isIsoDateTime',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isIsoDateTime(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be a date (YYYY-MM-DD) or a date-time with Z or an offset (YYYY-MM-DDTHH:MM:SSZ)`,
      },
    }),
  );
}
