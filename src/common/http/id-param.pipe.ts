import { Injectable, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { BadRequestParameterError } from '../errors/domain-error';
import { MAX_INT32 } from './dto-fields';

/**
 * An id as it appears in a path: plain decimal digits naming 1 … 2³¹−1, or undefined.
 * Leading zeros are allowed (`007` is 7); signs, spaces, `0x10`, `1e3` and fractions are not.
 * Everything that reads an id from a path (this pipe, cache keys) parses it here.
 */
export function parseId(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) {
    return undefined;
  }
  const id = Number(text);
  return id >= 1 && id <= MAX_INT32 ? id : undefined;
}

/** Parses a positive integer id path parameter; anything else is a 400 `INVALID_PARAMETER`. */
@Injectable()
export class IdParamPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = parseId(value);
    if (id === undefined) {
      throw new BadRequestParameterError(`id must be a positive integer in plain decimal digits, got "${value}"`);
    }
    return id;
  }
}

/** Documents a path parameter that {@link IdParamPipe} parses. */
export const ApiIdParam = (name: string, example: number) =>
  ApiParam({
    name,
    example,
    description: 'A positive integer (plain decimal digits)',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_INT32 },
  });
