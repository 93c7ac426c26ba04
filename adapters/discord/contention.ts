import { type REST, RESTEvents } from 'discord.js';
import { BudgetShortError } from '../../src/chat/rate-limiter.ts';

/**
 * Which channels' REST buckets are under pressure right now, as discord.js sees them. Every
 * call stays on discord.js's queue (it paces each route bucket and the global limit from the
 * `X-RateLimit-*` headers and waits out 429s); this only tells optional calls (intermediate
 * edits, typing) to stay off a queue that is busy, so they never hold up what must be said.
 */
export class ChannelContention {
  readonly #inFlight = new Map<string, number>();
  readonly #limitedUntil = new Map<string, number>();
  #globalUntil = 0;

  constructor(rest: REST) {
    // discord.js reports each wait it imposes: the channel (or everything, for the global limit) is busy until then.
    rest.on(RESTEvents.RateLimited, (info) => {
      const until = Date.now() + info.retryAfter;
      if (info.global) this.#globalUntil = Math.max(this.#globalUntil, until);
      else this.#limitedUntil.set(info.majorParameter, Math.max(this.#limitedUntil.get(info.majorParameter) ?? 0, until));
    });
  }

  /** Runs a call to `channelId`, counted as in flight while discord.js holds it. */
  async track<T>(channelId: string, work: () => Promise<T>): Promise<T> {
    this.#inFlight.set(channelId, (this.#inFlight.get(channelId) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const left = (this.#inFlight.get(channelId) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(channelId, left);
      else this.#inFlight.delete(channelId);
    }
  }

  /** Whether an optional call to `channelId` can go without waiting behind others. */
  canSpare(channelId: string): boolean {
    const now = Date.now();
    return !this.#inFlight.has(channelId) && now >= (this.#limitedUntil.get(channelId) ?? 0) && now >= this.#globalUntil;
  }

  /** Throws BudgetShortError when an optional call to `channelId` cannot be spared now. */
  spareOrSkip(channelId: string): void {
    if (!this.canSpare(channelId)) throw new BudgetShortError(`discord:${channelId}`);
  }
}
