import { join } from 'node:path';
import type { Collection } from '../types.ts';
import { AppendLog } from './append-log.ts';

type Line<T> = { k: string; v: T } | { k: string; d: 1 };

/**
 * A durable map on one append-only file (`<name>.jsonl`): a put or delete is one line, the
 * latest line of a key wins, and the file is rewritten with only live lines once most of
 * it is superseded. Read on first use, not at start-up.
 */
export class KeyedJournal<T> implements Collection<T> {
  readonly #path: string;
  #log: AppendLog | undefined;
  readonly #values = new Map<string, T>();
  #lines = 0;

  constructor(dir: string, name: string) {
    this.#path = join(dir, `${name}.jsonl`);
  }

  #open(): AppendLog {
    if (!this.#log) {
      this.#log = AppendLog.open(
        this.#path,
        (entry) => {
          const line = entry as Line<T>;
          this.#lines += 1;
          if ('d' in line) this.#values.delete(line.k);
          else this.#values.set(line.k, line.v);
        },
        { create: true },
      )!;
    }
    return this.#log;
  }

  async get(key: string): Promise<T | null> {
    const value = this.peek(key);
    return value === undefined ? null : structuredClone(value);
  }

  async put(key: string, value: T): Promise<void> {
    this.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.remove(key);
  }

  /** Synchronous read, without a copy: for callers that need a check-and-set with no await in between. */
  peek(key: string): T | undefined {
    this.#open();
    return this.#values.get(key);
  }

  set(key: string, value: T): void {
    // Copied before the write: memory takes the value only once the line is in the file.
    const copy = structuredClone(value);
    this.#append({ k: key, v: value });
    this.#values.set(key, copy);
    this.#compactIfStale();
  }

  remove(key: string): void {
    this.#open();
    if (!this.#values.has(key)) return;
    this.#append({ k: key, d: 1 });
    this.#values.delete(key);
    this.#compactIfStale();
  }

  async list(): Promise<Array<{ key: string; value: T }>> {
    this.#open();
    return [...this.#values].map(([key, value]) => ({ key, value: structuredClone(value) }));
  }

  /** Keys only, without copying values (for sweeps). */
  keys(): string[] {
    this.#open();
    return [...this.#values.keys()];
  }

  #append(line: Line<T>) {
    this.#open().append(line);
    this.#lines += 1;
  }

  /** Rewrites the file from memory once most lines are superseded; called after memory holds the latest write, so the rewrite keeps it. */
  #compactIfStale() {
    if (this.#lines > 1000 && this.#lines > this.#values.size * 3) {
      this.#open().rewrite([...this.#values].map(([k, v]) => JSON.stringify({ k, v })));
      this.#lines = this.#values.size;
    }
  }

  close(): void {
    this.#log?.close();
    this.#log = undefined;
  }
}
