/** Discord shows "is typing…" for 10 s after each trigger; while a run is busy it is renewed before that. */
const RENEW_MS = 8_000;

/**
 * The typing indicator of each channel, kept up while any run there is busy (a counter,
 * since the next run of an enqueued burst starts before the previous one says it is done).
 */
export class TypingIndicator {
  readonly #busy = new Map<string, { count: number; timer: NodeJS.Timeout }>();
  readonly #send: (channelId: string) => Promise<void>;

  constructor(send: (channelId: string) => Promise<void>) {
    this.#send = send;
  }

  start(channelId: string): void {
    const current = this.#busy.get(channelId);
    if (current) {
      current.count += 1;
      return;
    }
    const timer = setInterval(() => void this.#send(channelId).catch(() => undefined), RENEW_MS);
    this.#busy.set(channelId, { count: 1, timer });
    void this.#send(channelId).catch(() => undefined);
  }

  stop(channelId: string): void {
    const current = this.#busy.get(channelId);
    if (!current) return;
    current.count -= 1;
    if (current.count > 0) return;
    clearInterval(current.timer);
    this.#busy.delete(channelId);
  }

  stopAll(): void {
    for (const { timer } of this.#busy.values()) clearInterval(timer);
    this.#busy.clear();
  }
}
