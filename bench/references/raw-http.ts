import { createServer } from 'node:http';
import { loadFixture, PORT } from './fixture.js';

/**
 * The ceiling: plain `node:http` serving the same JSON as the service (serialized per
 * request, as a framework would), with nothing else in the way.
 */
const { product, list } = loadFixture();

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const body = url.startsWith('/v1/products/') ? product : url.startsWith('/v1/products') ? list : undefined;
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
});

server.listen(PORT, '0.0.0.0');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
