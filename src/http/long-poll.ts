const encoder = new TextEncoder();

/**
 * A JSON response for requests that wait for a run (wait, join): the headers go out at
 * once — the SDK holds one of its few request slots until they arrive — then a newline
 * every few seconds keeps proxies from timing out, then the JSON. Leading whitespace is
 * valid JSON, and the SDK parses it.
 */
export function longPollJson(produce: () => Promise<unknown>, options: { headers?: Record<string, string>; keepAliveMs?: number } = {}): Response {
  let timer: NodeJS.Timeout | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      timer = setInterval(() => {
        try {
          controller.enqueue(encoder.encode('\n'));
        } catch {
          clearInterval(timer);
        }
      }, options.keepAliveMs ?? 5_000);
      let result: unknown;
      try {
        result = await produce();
      } catch (error) {
        result = { __error__: { error: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) } };
      } finally {
        clearInterval(timer);
      }
      try {
        controller.enqueue(encoder.encode(JSON.stringify(result ?? {})));
        controller.close();
      } catch {
        // the client went away
      }
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json', ...options.headers } });
}
