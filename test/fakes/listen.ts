import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeServer {
  url: string;
  close(): Promise<void>;
}

/** A fake platform's HTTP server on 127.0.0.1 and a free port (or `port`, to come back where a client expects it), with its WebSocket endpoint at `wsPath`. */
export async function listenWithWebSocket(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  wsPath: string,
  onConnection: (socket: WebSocket) => void,
  port = 0,
): Promise<FakeServer> {
  const server: Server = createServer((req, res) => void handle(req, res));
  const wss = new WebSocketServer({ server, path: wsPath });
  wss.on('connection', onConnection);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
