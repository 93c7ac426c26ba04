import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../config/schema.ts';
import type { Thread } from '../types.ts';
import { assertSafeId } from './json-files.ts';
import { LruMap } from '../../util/lru.ts';
import { ThreadJournal } from './thread-journal.ts';

const SUFFIX = '.jsonl';

/** A clock for journal lines: increasing within a process and across restarts. */
export class Sequence {
  #last = Date.now() * 1000;
  next(): number {
    this.#last = Math.max(this.#last + 1, Date.now() * 1000);
    return this.#last;
  }
}

export interface JournalPoolLimits {
  /** How many journals stay open at most. */
  maxOpen: number;
  /** What the open journals may hold in memory together (see ThreadJournal.heldBytes). */
  maxBytes: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalPoolLimits = { maxOpen: 256, maxBytes: DEFAULTS.journalMemoryBytes };

/**
 * The open thread journals. A journal is opened (read once) on first use and stays open
 * while used; the least recently used are closed past `maxOpen` journals or `maxBytes` held
 * (a few long conversations weigh more than many short ones), and reopened when needed.
 * Callers take a journal and use it without awaiting in between: a closed journal is never
 * written.
 */
export class JournalPool {
  readonly dir: string;
  readonly #open: LruMap<string, ThreadJournal>;

  constructor(dataDir: string, limits: Partial<JournalPoolLimits> = {}) {
    const { maxOpen, maxBytes } = { ...DEFAULT_JOURNAL_LIMITS, ...limits };
    this.dir = join(dataDir, 'threads');
    this.#open = new LruMap(maxOpen, (_id, journal) => journal.close(), { max: maxBytes, of: (journal) => journal.heldBytes });
  }

  /** What the open journals hold in memory, as they weighed when last handed out. */
  get heldBytes(): number {
    return this.#open.totalWeight;
  }

  get openCount(): number {
    return this.#open.size;
  }

  path(threadId: string): string {
    return join(this.dir, `${assertSafeId('thread_id', threadId)}${SUFFIX}`);
  }

  get(threadId: string): ThreadJournal | null {
    const open = this.#open.get(threadId);
    if (open) {
      // Weighed again as it is handed out: it may have grown since.
      this.#open.set(threadId, open);
      return open;
    }
    const journal = ThreadJournal.open(threadId, this.path(threadId), false);
    if (journal) this.#open.set(threadId, journal);
    return journal;
  }

  getOrCreate(threadId: string): ThreadJournal {
    const journal = this.get(threadId) ?? ThreadJournal.open(threadId, this.path(threadId), true)!;
    this.#open.set(threadId, journal);
    return journal;
  }

  delete(threadId: string): void {
    const journal = this.get(threadId);
    this.#open.delete(threadId);
    journal?.remove();
  }

  /** Ids of every thread with a journal (threads, and checkpoints written for an id without a thread). */
  ids(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((name) => name.endsWith(SUFFIX))
        .map((name) => name.slice(0, -SUFFIX.length));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /**
   * A thread's record without loading its journal: the last `thread` and `values` lines,
   * found by reading the file backwards (they are rewritten after every run, so they are
   * near the end). For searches over many threads.
   */
  peekThread(threadId: string): Thread | null {
    const open = this.#open.get(threadId);
    if (open) return open.thread;
    let fd: number;
    try {
      fd = openSync(this.path(threadId), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let record: (Omit<Thread, 'values'> & { values?: Thread['values'] }) | undefined;
    let values: { v: Thread['values'] } | undefined;
    const take = (line: string) => {
      if (!record && line.startsWith('{"t":"thread"')) record = (JSON.parse(line) as { v: Omit<Thread, 'values'> }).v;
      else if (!values && line.startsWith('{"t":"values"')) values = JSON.parse(line) as { v: Thread['values'] };
      return record !== undefined && (values !== undefined || record.values !== undefined);
    };
    try {
      let end = fstatSync(fd).size;
      let carry = '';
      const chunkSize = 64 * 1024;
      scan: while (end > 0) {
        const start = Math.max(0, end - chunkSize);
        const buffer = Buffer.alloc(end - start);
        readSync(fd, buffer, 0, buffer.length, start);
        const lines = (buffer.toString('utf8') + carry).split('\n');
        carry = start > 0 ? lines.shift()! : '';
        for (let i = lines.length - 1; i >= 0; i -= 1) if (take(lines[i]!)) break scan;
        end = start;
      }
      if (carry) take(carry);
    } catch {
      return this.get(threadId)?.thread ?? null; // a torn line: let the full reader decide
    } finally {
      closeSync(fd);
    }
    if (!record) return null;
    return { ...record, values: values ? values.v : (record.values ?? null) };
  }

  closeAll(): void {
    this.#open.clear();
  }
}
