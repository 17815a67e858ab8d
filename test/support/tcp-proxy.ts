import net from 'node:net';

/** A TCP proxy in front of a server, so a test can cut the network and heal it again. */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1: point the app at it instead of the server. */
  port: number;
  /** Closes every open connection and closes new ones as soon as they are accepted. */
  cut(): void;
  /** Accepts and forwards connections again. */
  heal(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free local port forwarding to `targetHost:targetPort`. Protocol
 * agnostic (NATS, Redis, PostgreSQL alike).
 *
 * While cut, the proxy keeps listening and closes each new connection instead of closing
 * its port: the port stays ours, and clients see the failure at once rather than after a
 * connect timeout. It uses destroy(), not resetAndDestroy(): with RSTs, the Jest process
 * on Node 24 was seen spinning at 100% CPU at exit, in libuv handle clean-up.
 *
 * @example
 * const proxy = await startTcpProxy(4222);
 * const t = await startApp(world, { NATS_URL: `nats://127.0.0.1:${proxy.port}` });
 * proxy.cut(); // … assert the outage … then proxy.heal();
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let open = true;

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    track(client);
    track(upstream);
    // Either side failing or ending takes the other with it, as one connection would.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      open = false;
      for (const socket of sockets) {
        socket.destroy();
      }
    },
    heal() {
      open = true;
    },
    async close() {
      open = false;
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
