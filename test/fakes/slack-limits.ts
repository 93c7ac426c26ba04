/**
 * Slack's documented Web API limits as the fake enforces them: at most `limit` calls in any
 * `windowMs` per method per workspace, except chat.postMessage (about one a second per
 * channel); beyond them a 429 with `Retry-After` in whole seconds. Written from Slack's pages,
 * not from the adapter's table, so a wrong table in the adapter shows here as 429s.
 */
export interface FakeLimit {
  limit: number;
  windowMs: number;
  per: 'workspace' | 'channel';
}

const perMinute = (limit: number): FakeLimit => ({ limit, windowMs: 60_000, per: 'workspace' });

export const SLACK_DOCUMENTED_LIMITS: Record<string, FakeLimit> = {
  'chat.postMessage': { limit: 1, windowMs: 1000, per: 'channel' },
  'chat.update': perMinute(50), // Tier 3
  'chat.appendStream': perMinute(100), // Tier 4
  'chat.startStream': perMinute(20), // Tier 2
  'chat.stopStream': perMinute(20), // Tier 2
  'reactions.add': perMinute(50), // Tier 3
  'reactions.remove': perMinute(20), // Tier 2
  'assistant.threads.setStatus': perMinute(50),
};

/** What the limits say of one call: answered, or refused with a Retry-After; and whether it came while one ran. */
export interface LimitVerdict {
  retryAfterS: number | undefined;
  duringRetryAfter: boolean;
}

/**
 * Every 429 the fake sends (enforced here or scripted by a test) starts a Retry-After for its
 * bucket, and a call arriving in one is marked; the limits themselves refuse only once enforced.
 */
export class SlackLimits {
  #limits: Record<string, FakeLimit> | undefined;
  /** Arrival times of the answered calls in each bucket's current window. */
  readonly #windows = new Map<string, number[]>();
  /** Until when each bucket's last 429 asked callers to wait. */
  readonly #retryUntil = new Map<string, number>();

  enforce(limits: Record<string, FakeLimit>): void {
    this.#limits = limits;
  }

  judge(method: string, channel: string, at: number): LimitVerdict {
    const key = this.#key(method, channel);
    const duringRetryAfter = at < (this.#retryUntil.get(key) ?? 0);
    const limit = this.#limits?.[method];
    if (!limit) return { retryAfterS: undefined, duringRetryAfter };
    const window = (this.#windows.get(key) ?? []).filter((time) => time + limit.windowMs > at);
    this.#windows.set(key, window);
    if (window.length < limit.limit) {
      window.push(at);
      return { retryAfterS: undefined, duringRetryAfter };
    }
    // The fake's caller records the 429 (with `refused`), scripted or not.
    const retryAfterS = Math.max(1, Math.ceil((window[0]! + limit.windowMs - at) / 1000));
    return { retryAfterS, duringRetryAfter };
  }

  /** A 429 went out for this call: its bucket asks for `retryAfterS` seconds of quiet. */
  refused(method: string, channel: string, at: number, retryAfterS: number): void {
    const key = this.#key(method, channel);
    this.#retryUntil.set(key, Math.max(this.#retryUntil.get(key) ?? 0, at + retryAfterS * 1000));
  }

  #key(method: string, channel: string): string {
    return (this.#limits?.[method] ?? SLACK_DOCUMENTED_LIMITS[method])?.per === 'channel' ? `${method}:${channel}` : method;
  }
}
