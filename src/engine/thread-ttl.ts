import type { Logger } from 'pino';
import { threadExpiresAt } from '../storage/thread-expiry.ts';
import type { Storage, TtlStrategy } from '../storage/types.ts';
import { PeriodicSweep, type SweepTurn } from './periodic-sweep.ts';
import type { ThreadService } from './threads.ts';

/** A thread's time to live: once idle this many minutes (from its last update), deleted or pruned (`strategy`). */
export interface ThreadTtl {
  strategy: TtlStrategy;
  minutes: number;
}

/** How a request gives a TTL: minutes, or `{ ttl: minutes, strategy? }` as the SDK sends it. */
export type TtlRequest = number | { ttl: number; strategy?: TtlStrategy | null | undefined };

/** A requested TTL; without a strategy of its own it takes the configured one (`checkpointer.ttl.strategy`). */
export const ttlOf = (request: TtlRequest, strategy: TtlStrategy = 'delete'): ThreadTtl =>
  typeof request === 'number' ? { strategy, minutes: request } : { strategy: request.strategy ?? strategy, minutes: request.ttl };

export interface ThreadSweeperOptions {
  threads: ThreadService;
  storage: Storage;
  log: Logger;
  /** langgraph.json `checkpointer.ttl.default_ttl`: minutes for threads created without their own TTL. */
  defaultMinutes?: number | undefined;
  /** `checkpointer.ttl.strategy`: what happens to expired threads without a TTL of their own. */
  defaultStrategy?: TtlStrategy | undefined;
  /** How often to sweep (`sweep_interval_minutes`). */
  intervalMs: number;
  /** Several processes: which of them sweeps this interval. */
  turn?: SweepTurn | undefined;
  /** At most this many expired threads per sweep (the Platform's `sweep_limit`); the rest wait for the next one. */
  limit?: number;
  now?: () => Date;
}

/** What one sweep did; `turn` false when another process (or a sweep still running here) had it. */
export interface ThreadSweepOutcome {
  turn: boolean;
  /** Threads deleted or pruned. */
  threads: string[];
}

const LIMIT = 1000;

/**
 * Applies threads' time to live, as the Platform's checkpointer TTL does: a thread idle past
 * its TTL is deleted with its runs and checkpoints (`delete`), or keeps only its latest
 * checkpoint, losing its history (`keep_latest`). Storage indexes expiry, so a sweep reads
 * only expired threads. A thread with a run pending or running is never touched; it is
 * looked at again at the next sweep.
 */
export class ThreadSweeper {
  readonly #o: ThreadSweeperOptions;
  readonly #sweep: PeriodicSweep<string[]>;

  constructor(options: ThreadSweeperOptions) {
    this.#o = options;
    this.#sweep = new PeriodicSweep({ name: 'thread-ttl', intervalMs: options.intervalMs, turn: options.turn, log: options.log, now: options.now, work: (now) => this.#work(now) });
  }

  /** When the thread expires (ms since the epoch), or undefined when it does not. */
  expiresAt(thread: Parameters<typeof threadExpiresAt>[0]): number | undefined {
    return threadExpiresAt(thread, this.#o.defaultMinutes) ?? undefined;
  }

  /** One sweep now; returns the ids of the threads deleted or pruned. */
  async sweep(): Promise<string[]> {
    return (await this.run()).threads;
  }

  /** One sweep now, saying whether this process had the turn. */
  async run(): Promise<ThreadSweepOutcome> {
    const threads = await this.#sweep.once();
    return threads === undefined ? { turn: false, threads: [] } : { turn: true, threads };
  }

  async #work(now: Date): Promise<string[]> {
    const { storage, threads, defaultMinutes } = this.#o;
    const ids = await storage.threads.expired({ now, defaultMinutes, limit: this.#o.limit ?? LIMIT });
    const done: string[] = [];
    for (const threadId of ids) {
      // Read again just before: a run may have started, or the thread changed, since the index was read.
      const current = await threads.find(threadId);
      const expiresAt = current ? threadExpiresAt(current, defaultMinutes) : null;
      if (!current || current.status === 'busy' || expiresAt === null || expiresAt > now.getTime()) continue;
      const strategy = current.ttl?.strategy ?? this.#o.defaultStrategy ?? 'delete';
      const expired = await threads.expire(threadId, strategy).catch((error: unknown) => {
        this.#o.log.warn({ err: error, thread_id: threadId }, 'could not apply an expired thread\u2019s TTL');
        return false;
      });
      if (expired) done.push(threadId);
    }
    if (done.length > 0) this.#o.log.info({ threads: done.length }, 'applied the TTL of expired threads');
    return done;
  }

  start(): void {
    this.#sweep.start();
  }

  stop(): void {
    this.#sweep.stop();
  }
}
