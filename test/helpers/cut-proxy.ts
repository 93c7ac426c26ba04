import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What the proxy does with connections: forward them, drop them at once (a server that is down), or hold them unanswered (a network that swallows packets). */
export type ProxyMode = 'pass' | 'refuse' | 'stall';

export interface CutProxy {
  url: string;
  port: number;
  cutAll(): void;
  /** From now on; leaving `pass` cuts the connections it had forwarded. */
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a test server whose connections can be cut on demand, as a
 * flaky network or a restarting load balancer would cut them, or refused or held while
 * the server behind it is "down".
 */
export async function startCutProxy(targetPort: number): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let mode: ProxyMode = 'pass';
  const server: Server = createServer((client) => {
    sockets.add(client);
    const drop = () => {
      client.destroy();
      sockets.delete(client);
    };
    client.on('error', drop).on('close', drop);
    if (mode === 'refuse') return drop();
    // Held: read and never answered, until the proxy closes or passes again (then cut).
    if (mode === 'stall') return;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const dropBoth = () => {
      drop();
      upstream.destroy();
      sockets.delete(upstream);
    };
    client.on('error', dropBoth).on('close', dropBoth);
    upstream.on('error', dropBoth).on('close', dropBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    cutAll,
    setMode(next) {
      if (next !== mode) cutAll();
      mode = next;
    },
    close: () =>
      new Promise((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
