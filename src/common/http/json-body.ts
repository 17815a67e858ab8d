import secureJson from 'secure-json-parse';
import { DomainError } from '../errors/domain-error';

/** Deeper JSON is refused before it is parsed: no request needs it, and recursive code downstream would overflow. */
export const MAX_JSON_DEPTH = 32;

export class MalformedJsonError extends DomainError {
  constructor() {
    super(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
  }
}

export class JsonTooDeepError extends DomainError {
  constructor() {
    super(400, 'JSON_TOO_DEEP', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

export class UnsupportedCharsetError extends DomainError {
  constructor() {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', 'The body charset is not supported; send UTF-8');
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of objects and arrays in JSON text, brackets inside strings not counted; one pass, no recursion. */
export function jsonDepth(text: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === BACKSLASH) {
        i++;
      } else if (byte === QUOTE) {
        inString = false;
      }
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      deepest = Math.max(deepest, ++depth);
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return deepest;
}

/**
 * The one JSON body parser: UTF-8 only, at most {@link MAX_JSON_DEPTH}
 * levels, and no `__proto__` / `constructor.prototype` keys (they would reach class
 * instances through the DTO transform). An empty body is no body.
 *
 * @example parseJsonBody(Buffer.from('{"a":1}'), 'application/json') // { a: 1 }
 */
export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1].toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedCharsetError();
  }
  if (raw.length === 0) {
    return undefined;
  }
  if (jsonDepth(raw) > MAX_JSON_DEPTH) {
    throw new JsonTooDeepError();
  }
  try {
    return secureJson.parse(raw.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    throw new MalformedJsonError();
  }
}
