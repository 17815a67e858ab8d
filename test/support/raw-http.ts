import net from 'node:net';

export interface RawExchange {
  /** Everything the server sent. */
  text: string;
  /** The server closed the connection before `giveUpMs`. */
  closed: boolean;
  /** The parsed answer, when there was one. */
  status?: number;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * Talks HTTP over a bare TCP socket, for requests no client library would send: it
 * writes `head`, then each of `trickle` every `trickleEveryMs` until the server closes
 * the connection, and gives up (without failing) after `giveUpMs`.
 */
export function rawExchange(
  port: number,
  head: string,
  options: { trickle?: (index: number) => string; trickleEveryMs?: number; giveUpMs?: number } = {},
): Promise<RawExchange> {
  const { trickle, trickleEveryMs = 200, giveUpMs = 5_000 } = options;
  return new Promise((done) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      done({ text, closed, ...parse(text) });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.on('end', () => finish(true));
    socket.on('connect', () => {
      socket.write(head);
      if (trickle) {
        let index = 0;
        timer = setInterval(() => {
          if (socket.writable) {
            socket.write(trickle(index++));
          }
        }, trickleEveryMs);
      }
    });
  });
}

function parse(text: string): Pick<RawExchange, 'status' | 'headers' | 'body'> {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) {
    return { headers: {} };
  }
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const raw = Buffer.from(text.slice(end + 4), 'latin1').toString('utf8');
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // not JSON: keep the text
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}
