import { conflict } from '../../errors.ts';
import { jsonContains, sortAndPage } from '../query.ts';
import { dueAt, threadExpiry, type ThreadExpiry } from '../thread-expiry.ts';
import type { Thread, ThreadQuery, ThreadRepo } from '../types.ts';
import type { JournalPool, Sequence } from './journal-pool.ts';

/**
 * Thread records, kept in each thread's journal. Start-up reads none of them; the first
 * search reads each thread's latest record (from the end of its journal, not the whole
 * file) and keeps them in memory, up to date with every later write. The index keeps the
 * records without their values (a whole conversation each, for every thread there is: no
 * bound); a search reads the values of the threads it answers, or of every candidate when
 * it filters on values.
 */
export class JournalThreadRepo implements ThreadRepo {
  readonly #pool: JournalPool;
  readonly #seq: Sequence;
  #index: Map<string, Thread> | undefined;
  /** Each thread's expiry (two numbers, not the record), built at the first sweep and kept up to date by every write. */
  #expiry: Map<string, ThreadExpiry> | undefined;

  constructor(pool: JournalPool, seq: Sequence) {
    this.#pool = pool;
    this.#seq = seq;
  }

  async get(threadId: string): Promise<Thread | null> {
    return this.#pool.get(threadId)?.thread ?? null;
  }

  async create(thread: Thread): Promise<void> {
    if (await this.get(thread.thread_id)) throw conflict(`thread ${thread.thread_id} already exists`);
    await this.put(thread);
  }

  async put(thread: Thread): Promise<void> {
    this.#pool.getOrCreate(thread.thread_id).putThread(thread, this.#seq.next());
    this.#index?.set(thread.thread_id, withoutValues(thread));
    this.#expiry?.set(thread.thread_id, threadExpiry(thread));
  }

  async delete(threadId: string): Promise<boolean> {
    const existed = (await this.get(threadId)) !== null;
    this.#pool.delete(threadId);
    this.#index?.delete(threadId);
    this.#expiry?.delete(threadId);
    return existed;
  }

  async expired(query: { now: Date; defaultMinutes?: number | undefined; limit: number }): Promise<string[]> {
    if (!this.#expiry) {
      const expiry = new Map<string, ThreadExpiry>();
      for (const [id, thread] of this.#index ?? this.#tails()) expiry.set(id, threadExpiry(thread));
      this.#expiry = expiry;
    }
    const now = query.now.getTime();
    const due: Array<{ id: string; at: number }> = [];
    for (const [id, expiry] of this.#expiry) {
      const at = dueAt(expiry, query.defaultMinutes);
      if (at !== null && at <= now) due.push({ id, at });
    }
    return due
      .sort((a, b) => a.at - b.at)
      .slice(0, query.limit)
      .map((entry) => entry.id);
  }

  /** Every thread's latest record, read from the end of each journal, without keeping them. */
  *#tails(): Generator<[string, Thread]> {
    for (const id of this.#pool.ids()) {
      const thread = this.#pool.peekThread(id);
      if (thread) yield [id, thread];
    }
  }

  async search(query: ThreadQuery): Promise<{ items: Thread[]; total: number }> {
    const candidates = query.ids
      ? (await Promise.all(query.ids.map((id) => this.get(id).catch(() => null)))).filter((thread): thread is Thread => thread !== null)
      : [...this.#all().values()];
    const matches = candidates.filter(
      (thread) =>
        (query.status === undefined || thread.status === query.status) &&
        (query.metadata === undefined || jsonContains(thread.metadata, query.metadata)) &&
        (query.values === undefined || jsonContains(this.#valuesOf(thread) ?? {}, query.values)),
    );
    const items = sortAndPage(matches, {
      sortBy: query.sort_by ?? 'created_at',
      order: query.sort_order ?? 'desc',
      offset: query.offset,
      limit: query.limit,
    });
    return { items: items.map((thread) => ({ ...structuredClone({ ...thread, values: null }), values: this.#valuesOf(thread) })), total: matches.length };
  }

  /** A thread's current values: those it was given (a search by ids) or, from the index, read from its journal. */
  #valuesOf(thread: Thread): Thread['values'] {
    if (this.#index?.get(thread.thread_id) !== thread) return thread.values;
    return this.#pool.peekThread(thread.thread_id)?.values ?? null;
  }

  #all(): Map<string, Thread> {
    if (!this.#index) {
      const index = new Map<string, Thread>();
      for (const [id, thread] of this.#tails()) index.set(id, withoutValues(thread));
      this.#index = index;
    }
    return this.#index;
  }
}

function withoutValues(thread: Thread): Thread {
  return { ...thread, metadata: { ...thread.metadata }, values: null };
}
