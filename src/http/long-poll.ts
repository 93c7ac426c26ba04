import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import { directSocket } from './direct-socket.ts';

/** How long to wait for a result before answering with headers first and the JSON later. */
const QUICK_MS = 50;

/**
 * A JSON response for requests that wait for a run (wait, join). A run that ends within
 * a few milliseconds is answered as plain JSON. Otherwise the headers go out at once —
 * the SDK holds one of its few request slots until they arrive — then a newline every
 * few seconds keeps proxies from timing out, then the JSON (leading whitespace is valid
 * JSON, and the SDK parses it).
 */
export async function longPollJson(c: Context, produce: () => Promise<unknown>, options: { headers?: Record<string, string>; keepAliveMs?: number } = {}): Promise<Response> {
  const result = produce().then(
    (value) => ({ value }),
    (error: unknown) => ({ value: { __error__: { error: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) } } }),
  );
  let timer: NodeJS.Timeout | undefined;
  const quick = await Promise.race([result, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), QUICK_MS)))]);
  clearTimeout(timer);
  const headers = { 'content-type': 'application/json', ...options.headers };
  if (quick) return c.body(JSON.stringify(quick.value ?? {}), 200, headers);

  const outgoing = directSocket(c);
  if (outgoing) {
    outgoing.writeHead(200, headers);
    outgoing.flushHeaders();
    const keepAlive = setInterval(() => outgoing.write('\n'), options.keepAliveMs ?? 5_000);
    void result.then(({ value }) => {
      clearInterval(keepAlive);
      if (!outgoing.writableEnded) outgoing.end(JSON.stringify(value ?? {}));
    });
    outgoing.on('close', () => clearInterval(keepAlive));
    return RESPONSE_ALREADY_SENT;
  }
  const encoder = new TextEncoder();
  let keepAlive: NodeJS.Timeout | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      keepAlive = setInterval(() => controller.enqueue(encoder.encode('\n')), options.keepAliveMs ?? 5_000);
      void result.then(({ value }) => {
        clearInterval(keepAlive);
        controller.enqueue(encoder.encode(JSON.stringify(value ?? {})));
        controller.close();
      });
    },
    cancel() {
      clearInterval(keepAlive);
    },
  });
  return new Response(body, { status: 200, headers });
}
