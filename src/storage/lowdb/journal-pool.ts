import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Thread } from '../types.ts';
import { assertSafeId } from './json-files.ts';
import { LruMap } from './lru.ts';
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

/**
 * The open thread journals. A journal is opened (read once) on first use and stays open
 * while used; the least recently used are closed past `maxOpen`, and reopened when needed.
 * Callers take a journal and use it without awaiting in between: a closed journal is never
 * written.
 */
export class JournalPool {
  readonly dir: string;
  readonly #open: LruMap<string, ThreadJournal>;

  constructor(dataDir: string, maxOpen = 256) {
    this.dir = join(dataDir, 'threads');
    this.#open = new LruMap(maxOpen, (_id, journal) => journal.close());
  }

  path(threadId: string): string {
    return join(this.dir, `${assertSafeId('thread_id', threadId)}${SUFFIX}`);
  }

  get(threadId: string): ThreadJournal | null {
    const open = this.#open.get(threadId);
    if (open) return open;
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
   * A thread's record without loading its journal: the last `thread` line, found by
   * reading the file backwards (the record is rewritten after every run, so it is near
   * the end). For searches over many threads.
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
    try {
      let end = fstatSync(fd).size;
      let carry = '';
      const chunkSize = 64 * 1024;
      while (end > 0) {
        const start = Math.max(0, end - chunkSize);
        const buffer = Buffer.alloc(end - start);
        readSync(fd, buffer, 0, buffer.length, start);
        const text = buffer.toString('utf8') + carry;
        const lines = text.split('\n');
        carry = start > 0 ? lines.shift()! : '';
        for (let i = lines.length - 1; i >= 0; i -= 1) {
          const line = lines[i]!;
          if (line.startsWith('{"t":"thread"')) {
            try {
              return (JSON.parse(line) as { v: Thread }).v;
            } catch {
              return this.get(threadId)?.thread ?? null; // a torn last line: let the full reader decide
            }
          }
        }
        end = start;
      }
      if (carry.startsWith('{"t":"thread"')) return (JSON.parse(carry) as { v: Thread }).v;
      return null;
    } finally {
      closeSync(fd);
    }
  }

  closeAll(): void {
    this.#open.clear();
  }
}
