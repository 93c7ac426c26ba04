import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import { directSocket } from './direct-socket.ts';
import { corsHeadersOf } from './guard.ts';

const encoder = new TextEncoder();

/** One server-sent event: its id (a client resumes after the last it saw), its name, and JSON data. */
export interface SseEvent {
  /** Left out of a one-off answer that is not part of a run's stream (nothing to resume from). */
  id?: string;
  event: string;
  data: unknown;
}

/** One event in the SSE wire format the official SDK parses (data is one line of JSON). */
export function formatEvent(event: SseEvent): string {
  const id = event.id === undefined ? '' : `id: ${event.id}\n`;
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data ?? null)}\n${id}\n`;
}

export interface SseOptions {
  headers?: Record<string, string>;
  heartbeatMs?: number;
  /** Asks an EventSource to reconnect this soon after a drop (browsers wait ~3 s otherwise). */
  retryMs?: number;
  /** Produces the events; it receives a signal that aborts when the client disconnects. */
  events: (signal: AbortSignal) => AsyncIterable<SseEvent>;
  onError?: (error: unknown) => SseEvent | undefined;
}

/** Writes one SSE chunk; a closed connection makes `write` a no-op. */
type Sink = { write(text: string): void; close(): void };

/**
 * A text/event-stream response. Each event is written to the socket the moment it is
 * published: Node corks a response between ticks, and a graph that streams without
 * yielding to the event loop would otherwise hold every token until it finishes, so on
 * Node the socket is uncorked after each write. Heartbeats are comment lines with no blank
 * line after them (the SDK's decoder turns a lone blank line into an empty event). The
 * stream closes when the run's events end; a client that disconnects aborts the producer.
 */
export function sseResponse(c: Context, options: SseOptions): Response {
  const disconnected = new AbortController();
  // The CORS headers of the request go out with the stream too (it bypasses Hono's response).
  const headers = { ...corsHeadersOf(c), 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...options.headers };
  const outgoing = directSocket(c);
  if (outgoing) {
    outgoing.writeHead(200, headers);
    outgoing.flushHeaders();
    outgoing.on('close', () => disconnected.abort());
    const sink: Sink = {
      write(text) {
        if (outgoing.writableEnded || outgoing.destroyed) return;
        outgoing.write(text);
        outgoing.socket?.uncork();
      },
      close() {
        if (!outgoing.writableEnded) outgoing.end();
      },
    };
    void pump(sink, options, disconnected);
    // Tells the Node adapter the response was written directly.
    return RESPONSE_ALREADY_SENT;
  }
  c.req.raw.signal.addEventListener('abort', () => disconnected.abort(), { once: true });
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const body = new ReadableStream<Uint8Array>({
    start(ctrl) {
      controller = ctrl;
    },
    cancel() {
      closed = true;
      disconnected.abort();
    },
  });
  void pump(
    {
      write(text) {
        if (!closed) controller.enqueue(encoder.encode(text));
      },
      close() {
        if (closed) return;
        closed = true;
        controller.close();
      },
    },
    options,
    disconnected,
  );
  return new Response(body, { status: 200, headers });
}

async function pump(sink: Sink, options: SseOptions, disconnected: AbortController) {
  const heartbeat = setInterval(() => sink.write(': heartbeat\n'), options.heartbeatMs ?? 15_000);
  if (options.retryMs) sink.write(`retry: ${options.retryMs}\n\n`);
  try {
    for await (const event of options.events(disconnected.signal)) sink.write(formatEvent(event));
  } catch (error) {
    const event = options.onError?.(error);
    if (event) sink.write(formatEvent(event));
  } finally {
    clearInterval(heartbeat);
    sink.close();
  }
}
