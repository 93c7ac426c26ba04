/**
 * Discord's rate limits as the fake enforces them: per route bucket per major parameter (the
 * channel), fixed windows that start with a bucket's first call, `X-RateLimit-*` headers on
 * every answer of a limited route, a 429 with `retry_after` beyond them, and the global limit
 * of 50 requests a second. Message create and edit are 5 per 5 s per channel, as Discord's
 * community documents them (2nd-hand: Discord publishes only the headers, not the numbers).
 */
interface RouteLimit {
  method: string;
  path: RegExp;
  bucket: string;
  limit: number;
  windowMs: number;
}

const ROUTES: RouteLimit[] = [
  { method: 'POST', path: /^\/channels\/(\d+)\/messages$/, bucket: 'a1b2c3-messages-create', limit: 5, windowMs: 5000 },
  { method: 'PATCH', path: /^\/channels\/(\d+)\/messages\/\d+$/, bucket: 'd4e5f6-messages-edit', limit: 5, windowMs: 5000 },
  { method: 'POST', path: /^\/channels\/(\d+)\/typing$/, bucket: 'a7b8c9-typing', limit: 5, windowMs: 5000 },
  { method: 'POST', path: /^\/channels\/(\d+)\/messages\/\d+\/threads$/, bucket: 'f0e1d2-threads-create', limit: 5, windowMs: 5000 },
];
const GLOBAL = { limit: 50, windowMs: 1000 };

export interface DiscordVerdict {
  /** Headers for the answer (the route's bucket state), whatever it is. */
  headers: Record<string, string>;
  /** Set when the call is refused: seconds to wait, and whether the global limit refused it. */
  refusal?: { retryAfterS: number; global: boolean } | undefined;
  duringRetryAfter: boolean;
}

interface Window {
  start: number;
  count: number;
}

export class DiscordLimits {
  #enforced = false;
  readonly #windows = new Map<string, Window>();
  readonly #retryUntil = new Map<string, number>();
  #global: Window = { start: 0, count: 0 };
  #globalRetryUntil = 0;

  enforce(): void {
    this.#enforced = true;
  }

  judge(method: string, path: string, at: number): DiscordVerdict {
    const { route, key } = bucketOf(method, path);
    const duringRetryAfter = at < Math.max(this.#retryUntil.get(key) ?? 0, this.#globalRetryUntil);
    if (!this.#enforced) return { headers: {}, duringRetryAfter };
    // Interaction callbacks and their webhooks are not bound to the bot's global limit (Discord's rate-limit page).
    if (/^\/(interactions|webhooks)\//.test(path)) return { headers: {}, duringRetryAfter };
    if (at >= this.#global.start + GLOBAL.windowMs) this.#global = { start: at, count: 0 };
    if (this.#global.count >= GLOBAL.limit) {
      const retryAfterS = (this.#global.start + GLOBAL.windowMs - at) / 1000;
      this.#globalRetryUntil = Math.max(this.#globalRetryUntil, at + retryAfterS * 1000);
      return { headers: { 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' }, refusal: { retryAfterS, global: true }, duringRetryAfter };
    }
    if (!route) {
      this.#global.count += 1;
      return { headers: {}, duringRetryAfter };
    }
    let window = this.#windows.get(key);
    if (!window || at >= window.start + route.windowMs) this.#windows.set(key, (window = { start: at, count: 0 }));
    const resetAfterS = (window.start + route.windowMs - at) / 1000;
    const headers = (remaining: number) => ({
      'x-ratelimit-limit': String(route.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': ((at + resetAfterS * 1000) / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfterS.toFixed(3),
      'x-ratelimit-bucket': route.bucket,
    });
    if (window.count >= route.limit) {
      this.#retryUntil.set(key, Math.max(this.#retryUntil.get(key) ?? 0, at + resetAfterS * 1000));
      return { headers: { ...headers(0), 'x-ratelimit-scope': 'user' }, refusal: { retryAfterS: resetAfterS, global: false }, duringRetryAfter };
    }
    window.count += 1;
    this.#global.count += 1;
    return { headers: headers(route.limit - window.count), duringRetryAfter };
  }

  /** A scripted 429 for this call: its bucket asks for `retryAfterS` seconds of quiet. */
  refused(method: string, path: string, at: number, retryAfterS: number): void {
    const { key } = bucketOf(method, path);
    this.#retryUntil.set(key, Math.max(this.#retryUntil.get(key) ?? 0, at + retryAfterS * 1000));
  }
}

/** The route bucket of a call and its key (the bucket and the channel), or the bare route for an unlimited one. */
function bucketOf(method: string, path: string): { route: RouteLimit | undefined; key: string } {
  const route = ROUTES.find((candidate) => candidate.method === method && candidate.path.test(path));
  return { route, key: route ? `${route.bucket}:${route.path.exec(path)![1]}` : `${method} ${path}` };
}
