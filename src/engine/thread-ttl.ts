import type { Logger } from 'pino';
import type { Thread } from '../storage/types.ts';
import type { ThreadService } from './threads.ts';

/** A thread's time to live: deleted once idle this many minutes (from its last update). */
export interface ThreadTtl {
  strategy: 'delete';
  minutes: number;
}

/** How a request gives a TTL: minutes, or `{ ttl: minutes, strategy? }` as the SDK sends it. */
export type TtlRequest = number | { ttl: number; strategy?: 'delete' | null | undefined };

export const ttlOf = (request: TtlRequest): ThreadTtl => ({ strategy: 'delete', minutes: typeof request === 'number' ? request : request.ttl });

export interface ThreadSweeperOptions {
  threads: ThreadService;
  log: Logger;
  /** langgraph.json `checkpointer.ttl.default_ttl`: minutes for threads created without their own TTL. */
  defaultMinutes?: number | undefined;
  now?: () => Date;
}

const PAGE = 500;

/**
 * Deletes threads whose time to live has run out (their own `ttl`, or the configured
 * default), as the Platform's checkpointer TTL does: a thread idle that long is removed with
 * its runs and checkpoints. A thread with a run pending or running is never swept; it is
 * looked at again at the next sweep. Several processes may sweep at once: deleting a
 * thread twice is harmless.
 */
export class ThreadSweeper {
  readonly #o: ThreadSweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;

  constructor(options: ThreadSweeperOptions) {
    this.#o = options;
  }

  /** When the thread expires (ms since the epoch), or undefined when it does not. */
  expiresAt(thread: Thread): number | undefined {
    const minutes = thread.ttl?.minutes ?? this.#o.defaultMinutes;
    return minutes === undefined ? undefined : Date.parse(thread.updated_at) + minutes * 60_000;
  }

  /** One pass over every thread; returns the ids deleted. */
  async sweep(): Promise<string[]> {
    if (this.#sweeping) return [];
    this.#sweeping = true;
    try {
      const now = (this.#o.now?.() ?? new Date()).getTime();
      const expired: string[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const { items } = await this.#o.threads.search({ limit: PAGE, offset, sort_by: 'updated_at', sort_order: 'asc' });
        for (const thread of items) {
          const expiresAt = this.expiresAt(thread);
          if (expiresAt !== undefined && expiresAt <= now && thread.status !== 'busy') expired.push(thread.thread_id);
        }
        if (items.length < PAGE) break;
      }
      const deleted: string[] = [];
      for (const threadId of expired) {
        // Looked at again just before: a run may have started since the page was read.
        const current = await this.#o.threads.find(threadId);
        const expiresAt = current ? this.expiresAt(current) : undefined;
        if (!current || current.status === 'busy' || expiresAt === undefined || expiresAt > now) continue;
        await this.#o.threads.delete(threadId).catch((error: unknown) => this.#o.log.warn({ err: error, thread_id: threadId }, 'could not delete an expired thread'));
        deleted.push(threadId);
      }
      if (deleted.length > 0) this.#o.log.info({ deleted: deleted.length }, 'deleted threads whose TTL ran out');
      return deleted;
    } finally {
      this.#sweeping = false;
    }
  }

  start(intervalMs: number): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.#o.log.error({ err: error }, 'thread TTL sweep failed'));
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
