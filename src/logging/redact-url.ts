/** Query parameter names whose values are secrets: tokens, passwords, keys, signatures. */
const SECRET_PARAMETER = /token|passw|pwd|secret|signature|api[-_]?key|auth|session|cookie/i;

const REDACTED = '[redacted]';

function decodedName(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return encoded;
  }
}

/**
 * A request target fit for a log line: the value of every query parameter whose
 * (decoded) name says it holds a secret is replaced, so a client that put a token in
 * the URL (`?token=…`, `?access_token=…`) does not leave it in the logs.
 *
 * @example
 * redactUrl('/v1/products?access_token=eyJ&page=2') // '/v1/products?access_token=[redacted]&page=2'
 */
export function redactUrl(url: string | undefined): string | undefined {
  const start = url?.indexOf('?') ?? -1;
  if (url === undefined || start === -1) {
    return url;
  }
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return SECRET_PARAMETER.test(decodedName(name)) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, start)}?${query.join('&')}`;
}

/** Characters of a request target a log line keeps at most. */
export const MAX_LOGGED_TARGET = 512;

/**
 * A request target as a log line carries it: redacted ({@link redactUrl}), then cut to
 * {@link MAX_LOGGED_TARGET} characters with the length it had, so no client can make one
 * line, or the queue of lines waiting for stdout, as large as its requests.
 *
 * @example
 * logTarget('/v1/products?q=' + 'a'.repeat(4000)) // '/v1/products?q=aaa…[4015 characters]'
 */
export function logTarget(url: string | undefined): string | undefined {
  const redacted = redactUrl(url);
  if (redacted === undefined || redacted.length <= MAX_LOGGED_TARGET) {
    return redacted;
  }
  return `${redacted.slice(0, MAX_LOGGED_TARGET)}…[${redacted.length} characters]`;
}
