import { resolveRequestId } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveRequestId', () => {
  it.each(['abc', 'req-123_X.9', '0', 'a'.repeat(128), '3f1c2a9e-6a53-4c1e-9d55-0c7b1b8f7e21'])(
    'keeps the sane id %j',
    (id) => {
      expect(resolveRequestId(id)).toBe(id);
    },
  );

  it.each([
    ['an over-long id', 'a'.repeat(129)],
    ['an empty id', ''],
    ['an id with spaces', 'abc def'],
    ['an id with a newline', 'abc\ndef'],
    ['an id with markup', '<script>'],
    ['a non-ASCII id', 'ид'],
    ['a repeated header', ['abc', 'def']],
    ['no header', undefined],
  ])('replaces %s with a fresh uuid', (_label, incoming) => {
    expect(resolveRequestId(incoming)).toMatch(UUID);
  });

  it('generates a different id each time', () => {
    expect(resolveRequestId(undefined)).not.toBe(resolveRequestId(undefined));
  });
});
