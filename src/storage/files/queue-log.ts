import { join } from 'node:path';
import { AppendLog } from './append-log.ts';

type QueueEntry = { a: string; t: string; s: number } | { d: string };

export interface QueuedRunRef {
  runId: string;
  threadId: string;
  /** Acceptance order; timestamps alone tie under rapid messages. */
  seq: number;
}

/**
 * The list of accepted runs that have not ended, as a journal of "accepted" and "done"
 * lines (`queue.jsonl`). Start-up reads only this file to rebuild the queue, and rewrites
 * it with the runs still active, so it stays as small as the queue.
 */
export class QueueLog {
  readonly #log: AppendLog;
  readonly #active = new Map<string, QueuedRunRef>();
  #appended = 0;

  private constructor(log: AppendLog) {
    this.#log = log;
  }

  static open(dataDir: string): QueueLog {
    const active = new Map<string, QueuedRunRef>();
    const log = AppendLog.open(
      join(dataDir, 'queue.jsonl'),
      (entry) => {
        const line = entry as QueueEntry;
        if ('a' in line) active.set(line.a, { runId: line.a, threadId: line.t, seq: line.s });
        else active.delete(line.d);
      },
      { create: true },
    )!;
    const queue = new QueueLog(log);
    for (const [runId, ref] of active) queue.#active.set(runId, ref);
    queue.#compact();
    return queue;
  }

  has(runId: string): boolean {
    return this.#active.has(runId);
  }

  accept(runId: string, threadId: string, seq: number): void {
    if (this.#active.has(runId)) return;
    this.#log.append({ a: runId, t: threadId, s: seq });
    this.#active.set(runId, { runId, threadId, seq });
    this.#grew();
  }

  done(runId: string): void {
    if (!this.#active.has(runId)) return;
    this.#log.append({ d: runId });
    this.#active.delete(runId);
    this.#grew();
  }

  /** Active runs, oldest accepted first. */
  list(): QueuedRunRef[] {
    return [...this.#active.values()].sort((a, b) => a.seq - b.seq);
  }

  close(): void {
    this.#log.close();
  }

  #grew() {
    this.#appended += 1;
    if (this.#appended > 10_000 && this.#appended > this.#active.size * 4) this.#compact();
  }

  #compact() {
    this.#log.rewrite(this.list().map((ref) => JSON.stringify({ a: ref.runId, t: ref.threadId, s: ref.seq })));
    this.#appended = this.#active.size;
  }
}
