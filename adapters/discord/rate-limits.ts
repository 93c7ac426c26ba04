import { DefaultRestOptions, type RESTOptions, type ResponseLike } from 'discord.js';
import { type RateLedger, type RateLimit, RateLimiter } from '../../src/chat/rate-limiter.ts';

/**
 * Discord's limits for the routes a reply uses, per channel (the route's major parameter):
 * message create and edit 5 per 5 s each, as Discord's community documents them (2nd-hand:
 * Discord publishes only the `X-RateLimit-*` headers, not the numbers). A route not listed is
 * paced by the global limit and by what its answers' headers say.
 */
const ROUTES: ReadonlyArray<{ method: string; path: RegExp; name: string } & RateLimit> = [
  { method: 'POST', path: /^\/channels\/(\d+)\/messages$/, name: 'message-create', limit: 5, windowMs: 5000 },
  { method: 'PATCH', path: /^\/channels\/(\d+)\/messages\/\d+$/, name: 'message-edit', limit: 5, windowMs: 5000 },
  { method: 'POST', path: /^\/channels\/(\d+)\/typing$/, name: 'typing', limit: 5, windowMs: 5000 },
  { method: 'POST', path: /^\/channels\/(\d+)\/messages\/\d+\/threads$/, name: 'thread-create', limit: 5, windowMs: 5000 },
];

/** 50 requests a second per bot, whatever the route; calls overlap, each counted until a second after its answer. */
export const DISCORD_GLOBAL_LIMIT: RateLimit = { limit: 50, windowMs: 1000, concurrent: true };
const GLOBAL_KEY = 'discord:global';

type MakeRequest = RESTOptions['makeRequest'];
type RequestInit = Parameters<MakeRequest>[1];

/** The bucket of a call: a listed route per channel, else the route (ids generalised) per major parameter. */
export function discordBucket(method: string, path: string): { key: string; limit: RateLimit | undefined; global: boolean } {
  // Interaction callbacks and their webhooks are not bound to the bot's global limit (Discord's rate-limit page).
  const global = !/^\/(interactions|webhooks)\//.test(path);
  for (const route of ROUTES) {
    const match = route.method === method ? route.path.exec(path) : null;
    if (match) return { key: `discord:${route.name}:${match[1]}`, limit: { limit: route.limit, windowMs: route.windowMs }, global };
  }
  const major = /^\/(?:channels|guilds|webhooks)\/(\d+)/.exec(path)?.[1] ?? 'global';
  return { key: `discord:${method} ${path.replace(/\d{16,}/g, ':id')}:${major}`, limit: undefined, global };
}

/**
 * Paces every REST request before it reaches the network, as discord.js's `makeRequest`: each
 * waits for its route bucket (one call at a time per channel, within the limits above) and
 * for the global budget. discord.js keeps its own queue and header bookkeeping on top; this
 * closes the gaps it leaves: it learns a route's bucket only from a first answer, so the first
 * burst on a route and the handler it opens once the bucket is known both send with nothing
 * known, and its two clients (replies, and the gateway client's) each count the global limit
 * alone. A 429, or an answer saying a bucket has nothing left, closes that bucket (or all of
 * them, for the global limit) for every caller until its reset.
 */
export class DiscordPacer {
  readonly #limiter: RateLimiter;
  readonly #send: MakeRequest;

  /** `ledger`: the budgets of every process on one database (the global limit is the bot's, whichever process calls). */
  constructor(options: { now?: () => number; send?: MakeRequest; ledger?: RateLedger | undefined } = {}) {
    this.#limiter = new RateLimiter({ ...(options.now ? { now: options.now } : {}), ledger: options.ledger });
    this.#send = options.send ?? DefaultRestOptions.makeRequest;
  }

  /** The `makeRequest` of a REST client: the request once its buckets allow it. */
  readonly makeRequest: MakeRequest = async (url, init) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const bucket = discordBucket(method, pathOf(url));
    return this.#limiter.run(bucket.key, bucket.limit, 'required', async () => {
      const response = bucket.global ? await this.#limiter.run(GLOBAL_KEY, DISCORD_GLOBAL_LIMIT, 'required', () => this.#network(url, init)) : await this.#network(url, init);
      // Learnt before the slot is released: no call, here or in another process, slips in between.
      await this.#learn(bucket, response);
      return response;
    });
  };

  /** Whether an optional call (an intermediate edit, typing) on this route can go now without waiting. */
  canSpare(method: string, path: string): boolean {
    const bucket = discordBucket(method, path);
    return this.#limiter.canSpare(bucket.key, bucket.limit) && (!bucket.global || this.#limiter.canSpare(GLOBAL_KEY, DISCORD_GLOBAL_LIMIT));
  }

  close(): void {
    this.#limiter.close();
  }

  /**
   * The request itself, with a timeout of its own from when it leaves: discord.js's timeout
   * starts when the request is queued here, and waiting for a bucket is not a network failure.
   */
  #network(url: string, init: RequestInit): Promise<ResponseLike> {
    return this.#send(url, { ...init, signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS) });
  }

  async #learn(bucket: { key: string; limit: RateLimit | undefined }, response: ResponseLike): Promise<void> {
    const header = (name: string) => response.headers.get(name);
    const resetAfterMs = Number(header('x-ratelimit-reset-after') ?? 0) * 1000;
    if (response.status === 429) {
      const retryAfterMs = Math.max(Number(header('retry-after') ?? 0) * 1000, resetAfterMs);
      const global = header('x-ratelimit-global') !== null || header('x-ratelimit-scope') === 'global';
      if (global) await this.#limiter.block(GLOBAL_KEY, DISCORD_GLOBAL_LIMIT, retryAfterMs);
      else await this.#limiter.block(bucket.key, bucket.limit, retryAfterMs);
    } else if (header('x-ratelimit-remaining') === '0' && resetAfterMs > 0) {
      // Discord's own count of the bucket: nothing left until the reset, whatever the table above assumes.
      await this.#limiter.block(bucket.key, bucket.limit, resetAfterMs);
    }
  }
}

const NETWORK_TIMEOUT_MS = 15_000;

/** The API path of a request URL, without the base and version (`/channels/1/messages`). */
function pathOf(url: string): string {
  return new URL(url).pathname.replace(/^.*?\/api(?:\/v\d+)?(?=\/)/, '');
}
