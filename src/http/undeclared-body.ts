import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../common/errors/error-body';
import { writeJson } from '../common/http/http-message';
import { requestIdOf } from '../common/http/request-id';

/**
 * Holds a body of undeclared length (`Transfer-Encoding: chunked`) to `BODY_LIMIT` as it
 * arrives, as the front door holds a declared one to it by its `Content-Length`:
 *
 * - the bytes past the limit never reach a reader, and the request is answered 413 at
 *   once (the body parsers would refuse it too, but only after reading the whole body
 *   to its end, which a client may never send);
 * - an answer given before the body ended (a 415, a 404, a route that reads no body)
 *   closes the connection, where Node would otherwise keep reading the rest of the body
 *   to reuse it.
 */
export function limitUndeclaredBody(req: IncomingMessage, res: ServerResponse, limitBytes: number): void {
  if (req.headers['transfer-encoding'] === undefined) {
    return;
  }
  // Node's HTTP parser hands every piece of the body to the request through `push`; a
  // false return tells it to stop reading the socket.
  const push = req.push.bind(req);
  let received = 0;
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk === null) {
      return push(chunk, encoding);
    }
    if (received > limitBytes) {
      return false;
    }
    received += (chunk as Buffer).length;
    if (received <= limitBytes) {
      return push(chunk, encoding);
    }
    if (!res.headersSent) {
      const message = 'The request body is larger than allowed';
      res.setHeader('Connection', 'close');
      writeJson(res, 413, JSON.stringify(errorBody(413, 'PAYLOAD_TOO_LARGE', message, requestIdOf(req))));
    }
    return false;
  };
  res.once('finish', () => {
    if (!req.complete) {
      req.socket.destroySoon();
    }
  });
}
