import { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsInt, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { FieldProblem, ValidationFailedError } from '../errors/domain-error';
import { IntField, ObjectArrayField } from './dto-fields';
import { PageQuery as OffsetPageQuery } from './page.query';
import { createValidationPipe } from './validation.pipe';

class LineDto {
  @IsInt()
  @Min(1)
  productId: number;

  @IsInt()
  @Min(1)
  quantity: number;
}

class AddressDto {
  @IsString()
  @MinLength(1)
  city: string;
}

class OrderDto {
  @ValidateNested({ each: true })
  @ArrayMinSize(1)
  @Type(() => LineDto)
  items: LineDto[];

  @ValidateNested()
  @Type(() => AddressDto)
  address: AddressDto;
}

class PageQuery {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page: number;
}

class CartLineDto {
  @IntField({ min: 1, max: 100 })
  quantity: number;
}

class CartDto {
  @ObjectArrayField(() => CartLineDto, { min: 1, max: 10 })
  lines: CartLineDto[];
}

const body: ArgumentMetadata = { type: 'body', metatype: OrderDto };
const valid = () => ({ items: [{ productId: 1, quantity: 2 }], address: { city: 'Hangzhou' } });

async function problemsOf(value: unknown, metadata: ArgumentMetadata = body): Promise<FieldProblem[]> {
  try {
    await createValidationPipe().transform(value, metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    return (error as ValidationFailedError).details;
  }
  throw new Error('expected the value to be refused');
}

describe('createValidationPipe', () => {
  it('turns a valid body into an instance of the DTO', async () => {
    const result = (await createValidationPipe().transform(valid(), body)) as OrderDto;
    expect(result).toBeInstanceOf(OrderDto);
    expect(result.items[0]).toBeInstanceOf(LineDto);
    expect(result).toEqual(valid());
  });

  it('names nested array fields by their dotted path', async () => {
    const order = valid();
    order.items.push({ productId: 2, quantity: 0 });
    expect(await problemsOf(order)).toEqual([
      { field: 'items.1.quantity', message: 'quantity must not be less than 1' },
    ]);
  });

  it('names nested object fields by their dotted path', async () => {
    const details = await problemsOf({ ...valid(), address: { city: 42 } });
    expect(details).toEqual([{ field: 'address.city', message: expect.stringContaining('city must be') }]);
  });

  it('reports one entry per bad field', async () => {
    const details = await problemsOf({ items: [{ productId: 'x', quantity: 1 }, { productId: 1 }], address: {} });
    expect(details.map((problem) => problem.field).sort()).toEqual([
      'address.city',
      'items.0.productId',
      'items.1.quantity',
    ]);
  });

  it('refuses unknown properties, at the top level and nested', async () => {
    const top = await problemsOf({ ...valid(), isAdmin: true });
    expect(top).toEqual([{ field: 'isAdmin', message: 'property isAdmin should not exist' }]);
    const order = valid();
    const nested = await problemsOf({ ...order, items: [{ ...order.items[0], price: 1 }] });
    expect(nested).toEqual([{ field: 'items.0.price', message: 'property price should not exist' }]);
  });

  it('converts query strings to the declared types', async () => {
    const query = await createValidationPipe().transform({ page: '3' }, { type: 'query', metatype: PageQuery });
    expect(query).toEqual({ page: 3 });
    const details = await problemsOf({ page: '0' }, { type: 'query', metatype: PageQuery });
    expect(details).toEqual([{ field: 'page', message: 'page must not be less than 1' }]);
  });

  it('leaves path parameters as the raw text', async () => {
    const value = await createValidationPipe().transform('42', { type: 'param', metatype: Number, data: 'id' });
    expect(value).toBe('42');
  });

  it.each([
    [{ ...valid(), address: { city: 'Hang\u0000zhou' } }, 'address.city', /NUL/],
    [{ ...valid(), ['x\u0000']: 1 }, 'x\\0', /NUL/],
    [{ ...valid(), address: { city: 'Hang\ud800zhou' } }, 'address.city', /surrogate/],
    [{ items: [{ productId: 1, quantity: 1, note: ['ok', '\uDC00'] }] }, 'items.0.note.1', /surrogate/],
  ])('refuses text no column can hold before validating: %j', async (value, field, message) => {
    expect(await problemsOf(value)).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it('keeps surrogate pairs (astral characters) as text', async () => {
    await expect(
      createValidationPipe().transform({ ...valid(), address: { city: '😀𝕏' } }, body),
    ).resolves.toMatchObject({ address: { city: '😀𝕏' } });
  });

  it('refuses a NUL in a query value or a path parameter', async () => {
    expect(await problemsOf({ page: '1\u0000' }, { type: 'query', metatype: PageQuery })).toEqual([
      { field: 'page', message: 'page must not contain a NUL character' },
    ]);
    await expect(
      createValidationPipe().transform('4\u00002', { type: 'param', metatype: Number, data: 'id' }),
    ).rejects.toMatchObject({ status: 400, code: 'INVALID_PARAMETER', message: 'id must not contain a NUL character' });
  });

  // Names every object inherits: the transformer skipped them and the whitelist never saw them.
  const INHERITED = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'];

  it.each(INHERITED)('refuses %s as any unknown name, in a query, a body and a nested object', async (name) => {
    const query = Object.fromEntries([
      ['page', '1'],
      [name, '1'],
    ]);
    expect(await problemsOf(query, { type: 'query', metatype: PageQuery })).toEqual([
      { field: name, message: `property ${name} should not exist` },
    ]);
    const cart: ArgumentMetadata = { type: 'body', metatype: CartDto };
    const top = JSON.parse(`{"lines":[{"quantity":1}],"${name}":{"x":1}}`) as unknown;
    expect(await problemsOf(top, cart)).toEqual([{ field: name, message: `property ${name} should not exist` }]);
    const inner = JSON.parse(`{"lines":[{"quantity":1},{"quantity":1,"${name}":1}]}`) as unknown;
    expect(await problemsOf(inner, cart)).toEqual([
      { field: `lines.1.${name}`, message: `property ${name} should not exist` },
    ]);
  });

  it('answers a rule that names its own error with it when that is the only problem', async () => {
    const offsetQuery: ArgumentMetadata = { type: 'query', metatype: OffsetPageQuery };
    await expect(createValidationPipe().transform({ page: '501', pageSize: '20' }, offsetQuery)).rejects.toMatchObject({
      status: 400,
      code: 'PAGE_TOO_DEEP',
    });
    await expect(createValidationPipe().transform({ page: '500', pageSize: '20' }, offsetQuery)).resolves.toEqual({
      page: 500,
      pageSize: 20,
    });
    // an unknown name is refused before any rule is asked
    const details = await problemsOf({ page: '501', pageSize: '20', colour: 'red' }, offsetQuery);
    expect(details.map((problem) => problem.field)).toEqual(['colour']);
  });
});
