import fc from 'fast-check';

/**
 * Generators of hostile input for the fuzz test: values a careless client or an attacker
 * sends, driven by an OpenAPI schema where there is one. Each generator mixes values the
 * schema allows (so requests also reach the handlers) with values it does not.
 */

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  minLength?: number;
  example?: unknown;
  maxLength?: number;
  maximum?: number;
  oneOf?: Schema[];
  allOf?: Schema[];
}

/** Strings that have broken parsers before: control characters, lone surrogates, number look-alikes. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\r\n',
  '\uD800',
  '\uDFFF\uD800',
  '😀',
  '𝕏'.repeat(50),
  '\u202E',
  '\uFEFF1',
  '0x10',
  '1e3',
  ' 7',
  '7 ',
  '+7',
  '-7',
  '-0',
  '007',
  '7.0',
  '1_000',
  '９',
  '99999999999',
  '2147483648',
  '9007199254740993',
  '1e308',
  'NaN',
  'Infinity',
  'null',
  'true',
  '[]',
  '{}',
  '2026-W01-1',
  '2026W011',
  '20260101',
  '2026-02-30',
  '2026-001',
  '2026-01-01T00:00:00',
  '2026-01-01T24:00:00Z',
  '275760-09-14',
  "'; DROP TABLE products; --",
  '%',
  '%00',
  '__proto__',
  'x'.repeat(300),
];

const NASTY_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53 + 1,
  2 ** 63,
  1e21,
  1e308,
  -1e308,
  5e-324,
];

export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 2000 }) },
  );

export const hostileNumber = (): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.maxSafeInteger(),
  );

/** `{"a":{"a":…}}` or `[[…]]` `levels` deep. */
export const deeplyNested = (): fc.Arbitrary<unknown> =>
  fc.tuple(fc.integer({ min: 20, max: 400 }), fc.boolean()).map(([levels, arrays]) => {
    let value: unknown = arrays ? [] : {};
    for (let level = 1; level < levels; level++) {
      value = arrays ? [value] : { a: value };
    }
    return value;
  });

/** Any JSON value of the wrong kind for wherever it lands. */
export const wrongType = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant(null),
    fc.boolean(),
    hostileNumber(),
    hostileString(),
    fc.constant([]),
    fc.constant({}),
    fc.array(fc.oneof(fc.constant(null), fc.constant([]), hostileNumber()), { maxLength: 3 }),
    fc.dictionary(hostileString(), fc.oneof(fc.constant(null), hostileNumber())),
    deeplyNested(),
  );

/** Characters that have caused trouble inside otherwise fitting text. */
const NASTY_CHARACTERS = [
  '\u0000',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\uD800',
  '\uDC00',
  '😀',
  '\u202E',
  '\uFFFF',
  '%',
];

export class SchemaArbitraries {
  constructor(private readonly components: Record<string, Schema>) {}

  resolve(schema: Schema): Schema {
    if (schema.$ref) {
      return this.resolve(this.components[schema.$ref.split('/').pop() ?? ''] ?? {});
    }
    if (schema.allOf?.length === 1) {
      return this.resolve(schema.allOf[0]);
    }
    return schema;
  }

  /** A value for `schema`: often fitting, often hostile, sometimes of the wrong type altogether. */
  value(input: Schema, depth = 0, name = ''): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    return fc.oneof(
      { weight: 3, arbitrary: this.fitting(schema, depth, name) },
      { weight: 2, arbitrary: this.hostile(schema, depth, name) },
      { weight: 1, arbitrary: wrongType() },
    );
  }

  /**
   * A body for an object schema. Mostly every field fits but one, which is hostile, of
   * the wrong type, `null` or missing — so the request passes validation up to that
   * field; sometimes every field is drawn freely; sometimes unknown fields come along.
   */
  object(input: Schema, depth = 0): fc.Arbitrary<Record<string, unknown>> {
    const schema = this.resolve(input);
    const properties = Object.entries(schema.properties ?? {});
    const fitting = fc.record(
      Object.fromEntries(properties.map(([name, field]) => [name, this.fitting(this.resolve(field), depth + 1, name)])),
      { requiredKeys: schema.required ?? [] },
    );
    const oneHostile =
      properties.length === 0
        ? fitting
        : fc
            .tuple(
              fitting,
              fc
                .constantFrom(...properties)
                .chain(([name, field]) =>
                  fc
                    .oneof(
                      { weight: 4, arbitrary: this.hostile(this.resolve(field), depth + 1, name) },
                      { weight: 2, arbitrary: wrongType() },
                      { weight: 1, arbitrary: fc.constant(null) },
                      { weight: 1, arbitrary: fc.constant(undefined) },
                    )
                    .map((value) => [name, value] as const),
                ),
            )
            .map(([body, [name, value]]) => {
              const copy: Record<string, unknown> = { ...body, [name]: value };
              if (value === undefined) {
                delete copy[name];
              }
              return copy;
            });
    const free = fc.record(
      Object.fromEntries(properties.map(([name, field]) => [name, this.value(field, depth + 1, name)])),
      { requiredKeys: [] },
    );
    return fc
      .tuple(
        fc.oneof({ weight: 4, arbitrary: oneHostile }, { weight: 1, arbitrary: free }),
        fc.oneof(
          { weight: 6, arbitrary: fc.constant({}) },
          { weight: 1, arbitrary: fc.dictionary(hostileString(), wrongType(), { maxKeys: 3 }) },
        ),
      )
      .map(([known, extra]) => ({ ...extra, ...known }));
  }

  private fitting(schema: Schema, depth: number, name: string): fc.Arbitrary<unknown> {
    const generated = this.generated(schema, depth, name);
    return schema.example === undefined ? generated : fc.oneof(fc.constant(schema.example), generated);
  }

  private generated(schema: Schema, depth: number, name: string): fc.Arbitrary<unknown> {
    if (schema.enum) {
      return fc.constantFrom(...schema.enum);
    }
    switch (schema.type) {
      case 'integer':
        return fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1000, 2 ** 31 - 1) });
      case 'number':
        return fc.integer({ min: 0, max: 1000 });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 3 || !schema.items
          ? fc.constant([])
          : fc.array(this.fitting(this.resolve(schema.items), depth + 1, name), { minLength: 1, maxLength: 4 });
      case 'object':
        return depth > 3 ? fc.constant({}) : this.object(schema, depth);
      case 'string':
        if (schema.format === 'date-time') {
          return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
        }
        if (/email/i.test(name)) {
          return fc.emailAddress();
        }
        return fc.string({
          minLength: schema.minLength ?? 1,
          maxLength: Math.max(schema.minLength ?? 1, Math.min(schema.maxLength ?? 20, 40)),
        });
      default:
        return wrongType();
    }
  }

  private hostile(schema: Schema, depth: number, name: string): fc.Arbitrary<unknown> {
    switch (schema.type) {
      case 'integer':
      case 'number':
        return hostileNumber();
      case 'array':
        return fc.oneof(
          fc.constant([]),
          fc.array(wrongType(), { minLength: 1, maxLength: 5 }),
          depth > 3 || !schema.items
            ? deeplyNested()
            : fc.array(this.value(schema.items, depth + 1, name), { minLength: 1, maxLength: 4 }),
          // Giant arrays, still inside the body limit.
          fc
            .integer({ min: 101, max: 3000 })
            .map((length) => Array.from({ length }, () => ({ productId: 1, quantity: 1 }))),
          deeplyNested(),
        );
      case 'object':
        return depth > 3 ? deeplyNested() : fc.oneof(deeplyNested(), this.object(schema, depth + 1));
      default:
        return fc.oneof(
          { weight: 1, arbitrary: hostileString() },
          // Fitting text with one bad character inside.
          {
            weight: 2,
            arbitrary: fc
              .tuple(this.fitting(schema, depth, name) as fc.Arbitrary<string>, fc.constantFrom(...NASTY_CHARACTERS))
              .map(([text, bad]) => {
                const at = Math.floor(String(text).length / 2);
                return `${String(text).slice(0, at)}${bad}${String(text).slice(at)}`;
              }),
          },
        );
    }
  }
}

/** Percent-encodes every UTF-8 byte outside the unreserved set; lone surrogates go as U+FFFD, as a client would send. */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');
}

/** Path or query text: encoded hostile strings, and some raw ones (broken escapes, `+`, spaces as `%20`). */
export const hostileUrlText = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: hostileString().map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%FF', '+', '..', '.', '%2F', '%2e%2e') },
  );
