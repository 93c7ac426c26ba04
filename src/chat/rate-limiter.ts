import { DeliveryError } from './types.ts';

/** At most `limit` calls in any `windowMs` (Slack's tiers are per minute, chat.postMessage about 1 a second per channel). */
export interface RateLimit {
  limit: number;
  windowMs: number;
  /**
   * Calls may be in flight together (Discord's global limit): each still holds its place from
   * when it leaves until a window after its answer, so the count never overruns, but a 429 is
   * known only after the calls already in flight. Without it one call is in flight at a time.
   */
  concurrent?: boolean;
}

/**
 * `required` calls (final text, prompts, refusals) wait their turn; `optional` ones (status
 * indicators, intermediate edits) go only when the budget can spare them right now.
 */
export type CallNeed = 'required' | 'optional';

/**
 * Where the processes sharing a platform (several on one PostgreSQL) keep each bucket's calls,
 * so that together they stay within one budget and a Retry-After one of them learns holds for
 * all. Without one, each process keeps its own. Times are the ledger's own clock.
 */
export interface RateLedger {
  /**
   * A place for one call in `key`'s window, if no call of another process is in flight there,
   * no Retry-After runs, and more than `reserve` calls are free: its id, or how long to wait.
   */
  claim(key: string, limit: RateLimit | undefined, reserve: number): Promise<{ id: number } | { waitMs: number }>;
  /** The call of `id` has its answer: its place counts from now. */
  release(key: string, id: number, windowMs: number): Promise<void>;
  /** Nothing calls `key` for `ms` from now, in any process. */
  block(key: string, ms: number): Promise<void>;
}

/** What an optional call gets when the budget cannot spare it: the caller skips the call. */
export class BudgetShortError extends DeliveryError {
  readonly skipped = true;
  constructor(bucket: string) {
    super(`rate budget short on ${bucket}; skipped`, { permanent: true });
    this.name = 'BudgetShortError';
  }
}

interface Waiter {
  resolve: (slot: Slot) => void;
  reject: (error: Error) => void;
}

/** One call's place in a bucket's window: occupied until it completes, then counted from then. */
interface Slot {
  at: number;
  /** Its place in the ledger shared with other processes, when there is one. */
  ledgerId?: number;
}

/**
 * One platform bucket's budget (a Slack method in a workspace, say): a log of the calls made
 * in the last window, the Retry-After of the last 429, and the required calls waiting in order.
 * A call counts from when its answer came back, not from when it left: the platform counted it
 * somewhere in between, so the window never opens early whatever the network's delay. One
 * call is in flight at a time, so a 429 is known before the next call leaves (dozens of calls
 * a second still fit, far above any tier). With a ledger, a call that this bucket lets go
 * still takes its place there, among the other processes' calls, before it leaves.
 */
class Bucket {
  readonly #slots: Slot[] = [];
  readonly #waiters: Waiter[] = [];
  #blockedUntil = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly key: string,
    readonly limit: RateLimit | undefined,
    readonly now: () => number,
    readonly ledger: RateLedger | undefined,
  ) {}

  /** Calls still free in the window right now (Infinity for a bucket without a known limit). */
  free(): number {
    if (!this.limit) return Number.POSITIVE_INFINITY;
    const now = this.now();
    while (this.#slots.length > 0 && this.#slots[0]!.at + this.limit.windowMs <= now) this.#slots.shift();
    return this.limit.limit - this.#slots.length;
  }

  /** No required call waits, no Retry-After runs, and more than `reserve` calls stay free. */
  canSpare(reserve: number): boolean {
    return this.#waiters.length === 0 && !this.#busy() && this.now() >= this.#blockedUntil && this.free() > reserve;
  }

  /**
   * A required call's slot, in arrival order once the window and any Retry-After allow; an
   * optional call's slot only if no required call waits and more than `reserve` calls stay free.
   */
  async take(need: CallNeed, reserve: number): Promise<Slot> {
    if (need === 'required') return new Promise<Slot>((resolve, reject) => this.#enqueue({ resolve, reject }));
    if (!this.canSpare(reserve)) throw new BudgetShortError(this.key);
    const slot = this.#occupy();
    // The other processes may have spent what this one sees free.
    if (this.ledger && (await this.#claimed(slot, reserve)) !== true) {
      this.#vacate(slot);
      this.#pump();
      throw new BudgetShortError(this.key);
    }
    return slot;
  }

  /** The call of `slot` has its answer: its place in the window counts from now (for every process). */
  async release(slot: Slot): Promise<void> {
    if (slot.ledgerId !== undefined) await this.ledger!.release(this.key, slot.ledgerId, this.limit?.windowMs ?? 0).catch(() => undefined);
    this.#inFlight -= 1;
    slot.at = this.now();
    this.#sortSlots();
    this.#pump();
  }

  /** Nothing calls this bucket for `ms` (a 429's Retry-After), nor, through the ledger, any other process. */
  async block(ms: number): Promise<void> {
    this.#blockedUntil = Math.max(this.#blockedUntil, this.now() + ms);
    await this.ledger?.block(this.key, ms).catch(() => undefined);
    this.#pump();
  }

  close(error: Error): void {
    if (this.#timer) clearTimeout(this.#timer);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  /** A call in flight holds the others back, unless the bucket lets calls overlap. */
  #busy(): boolean {
    return this.#inFlight > 0 && !this.limit?.concurrent;
  }

  #occupy(): Slot {
    const slot: Slot = { at: Number.POSITIVE_INFINITY };
    this.#inFlight += 1;
    if (this.limit) this.#slots.push(slot);
    return slot;
  }

  /** A slot given back unused (the ledger said not now). */
  #vacate(slot: Slot): void {
    this.#inFlight -= 1;
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
  }

  /**
   * Whether the ledger grants `slot` a place. A ledger that cannot answer (the database away)
   * does not stop the call: this process's own pacing still holds.
   */
  async #claimed(slot: Slot, reserve: number): Promise<true | number> {
    try {
      const answer = await this.ledger!.claim(this.key, this.limit, reserve);
      if ('waitMs' in answer) return Math.max(1, answer.waitMs);
      slot.ledgerId = answer.id;
      return true;
    } catch {
      return true;
    }
  }

  #enqueue(waiter: Waiter): void {
    this.#waiters.push(waiter);
    this.#pump();
  }

  /** The head waiter's slot, once the ledger grants it; else it stays first in line and asks again when told. */
  async #grant(waiter: Waiter, slot: Slot): Promise<void> {
    const claimed = await this.#claimed(slot, 0);
    if (claimed === true) return waiter.resolve(slot);
    this.#vacate(slot);
    this.#waiters.unshift(waiter);
    this.#wake(claimed);
  }

  #sortSlots() {
    this.#slots.sort((a, b) => a.at - b.at);
  }

  #pump() {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    // Released calls pump again; the one in flight holds the others back until its answer is known.
    while (this.#waiters.length > 0 && !this.#busy()) {
      const now = this.now();
      if (now < this.#blockedUntil) return this.#wake(this.#blockedUntil - now);
      if (this.free() <= 0) {
        // The oldest finished call leaves the window first; a call still in flight wakes us on release.
        const oldest = this.#slots[0]!;
        if (Number.isFinite(oldest.at)) this.#wake(oldest.at + this.limit!.windowMs - now);
        return;
      }
      const waiter = this.#waiters.shift()!;
      if (this.ledger) void this.#grant(waiter, this.#occupy());
      else waiter.resolve(this.#occupy());
    }
  }

  #wake(inMs: number) {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#pump(), Math.max(1, inMs));
  }
}

export interface RateLimiterOptions {
  /** The share of each bucket an optional call leaves free for required ones. */
  reserveShare?: number;
  now?: () => number;
  /** Shared with the other processes on one database: each call also takes its place there. */
  ledger?: RateLedger | undefined;
}

/**
 * One platform's rate budgets, shared by every conversation of the process: each call goes
 * through its bucket, a 429 closes the bucket for everyone until its Retry-After has passed,
 * and known limits are paced in advance so the platform need not refuse at all.
 *
 * Several processes on PostgreSQL share one budget per bucket through a `ledger`: a call takes
 * its place in this process's bucket (the order of its conversations) and then in the ledger
 * (the calls of every process), and a 429 any of them gets closes the bucket for all of them.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #reserveShare: number;
  readonly #now: () => number;
  readonly #ledger: RateLedger | undefined;

  constructor(options: RateLimiterOptions = {}) {
    this.#reserveShare = options.reserveShare ?? 0.5;
    this.#now = options.now ?? Date.now;
    this.#ledger = options.ledger;
  }

  /**
   * Makes `call` once its bucket allows; an optional call that cannot be spared now is not
   * made and rejects with BudgetShortError. A call rejected with `retryAfterMs` (a 429)
   * closes the bucket for that long.
   */
  async run<T>(key: string, limit: RateLimit | undefined, need: CallNeed, call: () => Promise<T>): Promise<T> {
    const bucket = this.#bucket(key, limit);
    const slot = await bucket.take(need, this.#reserve(limit));
    try {
      return await call();
    } catch (error) {
      const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
      // Closed before the slot is released, so no other call, here or in another process, slips in between.
      if (retryAfterMs !== undefined) await bucket.block(retryAfterMs);
      throw error;
    } finally {
      await bucket.release(slot);
    }
  }

  /**
   * Nothing calls `key` for `ms` from now: a 429 seen outside `run` (one a client library
   * retries by itself, say) closes the bucket for everyone all the same; with a ledger, await it
   * before the call's slot is released, so no other process slips in between.
   */
  block(key: string, limit: RateLimit | undefined, ms: number): Promise<void> {
    return this.#bucket(key, limit).block(ms);
  }

  /** Whether an optional call on `key` would be made now (for what is cheaper to skip than to try). */
  canSpare(key: string, limit: RateLimit | undefined): boolean {
    return this.#bucket(key, limit).canSpare(this.#reserve(limit));
  }

  /** Calls an optional one leaves free for required ones (none on a bucket of one call a window). */
  #reserve(limit: RateLimit | undefined): number {
    return limit ? Math.floor(limit.limit * this.#reserveShare) : 0;
  }

  /** At a stop: required calls still waiting reject (the outbox keeps their items for the next start). */
  close(): void {
    const error = new DeliveryError('the platform is stopped; delivered at the next start');
    for (const bucket of this.#buckets.values()) bucket.close(error);
  }

  #bucket(key: string, limit: RateLimit | undefined): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new Bucket(key, limit, this.#now, this.#ledger)));
    return bucket;
  }
}
