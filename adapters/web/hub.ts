import type { SseEvent } from '../../src/http/sse.ts';

/** What the playground's browsers are told, as it happens. */
export type PlaygroundEvent =
  | { type: 'message'; message: unknown }
  | { type: 'ephemeral'; to: string; channel: string; thread: string | null; markdown: string; at: number }
  | { type: 'status'; channel: string; thread: string | null; busy: boolean }
  | { type: 'channel'; name: string };

/**
 * Fans events out to every connected browser. Each connection gets its own queue, so a
 * slow tab never holds up the others; a tab that falls far behind is dropped and
 * reconnects (its EventSource does so by itself, then reloads what it shows).
 */
export class PlaygroundHub {
  readonly #clients = new Set<(event: PlaygroundEvent | null) => void>();
  #seq = 0;

  get clients(): number {
    return this.#clients.size;
  }

  publish(event: PlaygroundEvent): void {
    for (const client of this.#clients) client(event);
  }

  /** A private notice: only the browser of `to` shows it, and only until it reloads (as Slack's ephemeral messages). */
  tell(to: string, channel: string, thread: string | null, markdown: string): void {
    this.publish({ type: 'ephemeral', to, channel, thread, markdown, at: Date.now() });
  }

  /** Ends every connection (at stop). */
  closeAll(): void {
    for (const client of this.#clients) client(null);
  }

  async *subscribe(signal: AbortSignal): AsyncIterable<SseEvent> {
    const queue: Array<PlaygroundEvent | null> = [];
    let wake: (() => void) | undefined;
    const push = (event: PlaygroundEvent | null) => {
      queue.push(queue.length > 10_000 ? null : event);
      wake?.();
    };
    this.#clients.add(push);
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      yield { id: String(++this.#seq), event: 'hello', data: { at: new Date().toISOString() } };
      while (!signal.aborted) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        while (queue.length > 0) {
          const event = queue.shift()!;
          if (event === null) return;
          yield { id: String(++this.#seq), event: event.type, data: event };
        }
      }
    } finally {
      this.#clients.delete(push);
      signal.removeEventListener('abort', onAbort);
    }
  }
}
