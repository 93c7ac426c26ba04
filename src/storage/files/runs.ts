import { jsonContains } from '../query.ts';
import type { Run, RunQuery, RunRepo } from '../types.ts';
import type { JournalPool, Sequence } from './journal-pool.ts';
import type { QueueLog } from './queue-log.ts';

const ACTIVE = new Set(['pending', 'running']);

/**
 * Runs live in their thread's journal. A pending or running run is also in the queue log,
 * written before the run is acknowledged and marked done after it ends: after a crash,
 * start-up reads only the queue log to rebuild the queue, in acceptance order.
 */
export class JournalRunRepo implements RunRepo {
  readonly #pool: JournalPool;
  readonly #queue: QueueLog;
  readonly #seq: Sequence;

  constructor(pool: JournalPool, queue: QueueLog, seq: Sequence) {
    this.#pool = pool;
    this.#queue = queue;
    this.#seq = seq;
  }

  async get(threadId: string, runId: string): Promise<Run | null> {
    return this.#pool.get(threadId)?.run(runId) ?? null;
  }

  async put(run: Run): Promise<void> {
    const active = ACTIVE.has(run.status);
    // Queue first on acceptance, journal first on completion: a crash in between leaves a
    // queue entry whose run is missing or finished, which `active()` ignores and clears.
    if (active) this.#queue.accept(run.run_id, run.thread_id, this.#seq.next());
    this.#pool.getOrCreate(run.thread_id).putRun(run, this.#seq.next());
    if (!active) this.#queue.done(run.run_id);
  }

  async delete(threadId: string, runId: string): Promise<boolean> {
    this.#queue.done(runId);
    return this.#pool.get(threadId)?.deleteRun(runId, this.#seq.next()) ?? false;
  }

  async listByThread(threadId: string, query: RunQuery): Promise<Run[]> {
    const runs = (this.#pool.get(threadId)?.runs() ?? []).filter(
      (run) => (query.status === undefined || run.status === query.status) && (query.metadata === undefined || jsonContains(run.metadata, query.metadata)),
    );
    // Newest first, as the Platform lists them. Run ids are time-ordered (uuid7), so they
    // break the ties of runs accepted within one millisecond.
    runs.sort((a, b) => compareDesc(a.created_at, b.created_at) || compareDesc(a.run_id, b.run_id));
    return runs.slice(query.offset, query.offset + query.limit);
  }

  async active(): Promise<Run[]> {
    const out: Run[] = [];
    for (const ref of this.#queue.list()) {
      const run = this.#pool.get(ref.threadId)?.run(ref.runId) ?? null;
      if (run && ACTIVE.has(run.status)) out.push(run);
      else this.#queue.done(ref.runId);
    }
    return out;
  }

  async deleteByThread(threadId: string): Promise<void> {
    const journal = this.#pool.get(threadId);
    if (!journal) return;
    for (const run of journal.runs()) this.#queue.done(run.run_id);
    journal.clearRuns(this.#seq.next());
  }
}

function compareDesc(a: string, b: string): number {
  return a === b ? 0 : a < b ? 1 : -1;
}
