import { localPath } from './local-path';

describe('localPath', () => {
  // Each as the handler receives it: the query string already decoded once.
  it.each([
    ['//evil.example', 'a protocol-relative URL'],
    ['/\\evil.example', 'a backslash browsers read as a slash'],
    ['/\\\\evil.example', 'two backslashes'],
    ['/\t/evil.example/phish', 'a tab browsers drop'],
    ['/\t\\evil.example', 'a tab then a backslash'],
    ['\t//evil.example', 'a leading tab'],
    ['/%09/evil.example', 'a tab left encoded'],
    ['/%5Cevil.example', 'a backslash left encoded'],
    ['/\n/evil.example', 'a raw line feed'],
    ['/%0A/evil.example', 'a line feed left encoded'],
    ['/\r\n/evil.example', 'CR LF'],
    ['/%0D%0ASet-Cookie:x=1', 'CR LF left encoded'],
    ['/\u0000', 'NUL'],
    ['/\u007f/evil.example', 'DEL'],
    ['/%7F', 'DEL left encoded'],
    ['https://evil.example', 'an absolute URL'],
    ['http://origin.invalid/cart', 'an absolute URL on the parsing base'],
    ['javascript:alert(1)', 'a javascript: URL'],
    ['evil.example', 'a relative path'],
    [' /cart', 'a leading space'],
    ['/.//evil.example', 'a dot segment that resolves to //'],
    ['/a/../..//evil.example', 'dot segments that resolve to //'],
    ['/%2e%2e//evil.example', 'encoded dot segments that resolve to //'],
    ['', 'nothing'],
  ])('refuses %j (%s)', (next) => {
    expect(localPath(next)).toBe('/');
  });

  it('refuses what is not one string', () => {
    expect(localPath(undefined)).toBe('/');
    expect(localPath(['/cart', '//evil.example'])).toBe('/');
    expect(localPath({ path: '/cart' })).toBe('/');
    expect(localPath('//evil.example', '/cart')).toBe('/cart');
  });

  it.each([
    ['/', '/'],
    ['/cart', '/cart'],
    ['/?q=shoes&page=2', '/?q=shoes&page=2'],
    ['/products/7#reviews', '/products/7'],
    ['/a/./b/../c', '/a/c'],
    ['/中', '/%E4%B8%AD'],
    ['/?q=中 文', '/?q=%E4%B8%AD%20%E6%96%87'],
    ['/?q="<x>"', '/?q=%22%3Cx%3E%22'],
    ['/%E4%B8%AD', '/%E4%B8%AD'],
  ])('takes %j as %j: a path on this site, in ASCII a header can carry', (next, path) => {
    expect(localPath(next)).toBe(path);
  });
});
