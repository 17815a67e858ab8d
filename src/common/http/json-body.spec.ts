import { jsonDepth, MAX_JSON_DEPTH, parseJsonBody } from './json-body';

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const parse = (text: string, contentType = 'application/json') => parseJsonBody(Buffer.from(text), contentType);

describe('parseJsonBody', () => {
  it('parses JSON of any kind, UTF-8 included', () => {
    expect(parse('{"name":"机械键盘","n":[1,{"a":null}]}')).toEqual({ name: '机械键盘', n: [1, { a: null }] });
    expect(parse('5')).toBe(5);
  });

  it('reads an empty body as no body', () => {
    expect(parse('')).toBeUndefined();
  });

  it.each([
    ['{}', 1],
    ['{"a":[1,{"b":{}}]}', 4],
    ['{"a":"{{{[[["}', 1],
    ['{"a":"\\"{{"}', 1],
    ['"[[["', 0],
  ])('measures the depth of %s as %i, brackets inside strings not counted', (text, depth) => {
    expect(jsonDepth(Buffer.from(text))).toBe(depth);
  });

  it(`takes ${MAX_JSON_DEPTH} levels and refuses one more with 400 JSON_TOO_DEEP`, () => {
    expect(parse(nested(MAX_JSON_DEPTH))).toBeInstanceOf(Array);
    expect(() => parse(nested(MAX_JSON_DEPTH + 1))).toThrow(
      expect.objectContaining({ status: 400, code: 'JSON_TOO_DEEP' }),
    );
    expect(() => parse(nested(100_000))).toThrow(expect.objectContaining({ code: 'JSON_TOO_DEEP' }));
  });

  it.each([
    '{"a":',
    '{"a":1}x',
    "{'a':1}",
    '{"a":"\u0001"}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{}}}',
  ])('refuses %j with 400 MALFORMED_JSON', (text) => {
    expect(() => parse(text)).toThrow(expect.objectContaining({ status: 400, code: 'MALFORMED_JSON' }));
  });

  it('refuses a charset other than UTF-8 with 415', () => {
    expect(parse('{}', 'application/json; charset=UTF-8')).toEqual({});
    expect(() => parse('{}', 'application/json; charset=latin1')).toThrow(
      expect.objectContaining({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }),
    );
  });
});
