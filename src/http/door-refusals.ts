import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/configuration';

/** The limits the front door enforces: `MAX_URL_BYTES` and `BODY_LIMIT`. */
export type DoorLimits = Pick<AppConfig['http'], 'maxUrlBytes' | 'bodyLimitBytes'>;

export interface DoorRefusal {
  status: number;
  code: string;
  message: string;
}

/**
 * What the front door refuses before the framework sees the request, or undefined to let
 * it in:
 *
 * - a request target over `MAX_URL_BYTES`: 414, before it is routed, cached or logged
 *   whole (a flood of distinct long targets would otherwise fill the response cache's
 *   keys and the log stream with them);
 * - a `Content-Length` over `BODY_LIMIT`: 413 at once, without reading the body (the
 *   body parsers would refuse it too, but only after the route was found, and Node
 *   would then read and discard the whole declared body on that connection);
 * - an HTTP/1.1 request without `Host` (RFC 9112 § 3.2): 400 `HOST_REQUIRED`, which
 *   Node itself would answer with an empty body (`requireHostHeader: false` lets it in).
 *
 * Every such answer closes the connection: its unread body would keep it busy otherwise.
 */
export function doorRefusal(req: IncomingMessage, limits: DoorLimits): DoorRefusal | undefined {
  // Node's parser hands the target over byte for byte (latin1), so its length is its size.
  if ((req.url?.length ?? 0) > limits.maxUrlBytes) {
    return {
      status: 414,
      code: 'URI_TOO_LONG',
      message: `The request target is longer than ${limits.maxUrlBytes} bytes`,
    };
  }
  if (req.httpVersion === '1.1' && req.headers.host === undefined) {
    return { status: 400, code: 'HOST_REQUIRED', message: 'An HTTP/1.1 request needs a Host header' };
  }
  // Node's parser has already refused a Content-Length that is not plain digits.
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.bodyLimitBytes) {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than allowed' };
  }
  return undefined;
}
