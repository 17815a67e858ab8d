import { Injectable, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { BadRequestParameterError } from '../errors/domain-error';

const MAX_ID = 2_147_483_647;

/** Parses a positive integer id path parameter; anything else is a 400 `INVALID_PARAMETER`. */
@Injectable()
export class IdParamPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = /^\+?\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(id) || id < 1 || id > MAX_ID) {
      throw new BadRequestParameterError(`id must be a positive integer, got "${value}"`);
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
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_ID },
  });
