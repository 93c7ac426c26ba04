import type { RunEvent } from '../engine/stream.ts';

const encoder = new TextEncoder();

/** One event in the SSE wire format the official SDK parses (data is one line of JSON). */
export function formatEvent(event: RunEvent): Uint8Array {
  return encoder.encode(`event: ${event.event}\ndata: ${JSON.stringify(event.data ?? null)}\nid: ${event.id}\n\n`);
}

export interface SseOptions {
  headers?: Record<string, string>;
  /** Aborts when the client goes away (the request's signal). */
  signal: AbortSignal;
  heartbeatMs?: number;
  /** Produces the events; it receives a signal that aborts when the client disconnects. */
  events: (signal: AbortSignal) => AsyncIterable<RunEvent>;
  onError?: (error: unknown) => RunEvent | undefined;
}

/**
 * A text/event-stream response. Heartbeats are comment lines without a blank line after
 * them: the SDK's decoder turns a lone blank line into an empty event. The stream closes
 * when the run's events end; a client that disconnects aborts the producer.
 */
export function sseResponse(options: SseOptions): Response {
  const disconnected = new AbortController();
  const onClientAbort = () => disconnected.abort();
  options.signal.addEventListener('abort', onClientAbort, { once: true });
  let heartbeat: NodeJS.Timeout | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      heartbeat = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(': heartbeat\n'));
        } catch {
          clearInterval(heartbeat);
        }
      }, options.heartbeatMs ?? 15_000);
      try {
        for await (const event of options.events(disconnected.signal)) controller.enqueue(formatEvent(event));
      } catch (error) {
        const event = options.onError?.(error);
        if (event) controller.enqueue(formatEvent(event));
      } finally {
        clearInterval(heartbeat);
        options.signal.removeEventListener('abort', onClientAbort);
        try {
          controller.close();
        } catch {
          // already closed by a disconnect
        }
      }
    },
    cancel() {
      clearInterval(heartbeat);
      disconnected.abort();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...options.headers },
  });
}
