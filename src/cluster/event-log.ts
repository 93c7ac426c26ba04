import type { Logger } from 'pino';
import type { SharedLogEnd } from '../engine/scheduler.ts';
import type { RunEvent, RunEventSink } from '../engine/stream.ts';
import type { Db } from '../storage/postgres/db.ts';
import { BoundedConnection } from './bounded-connection.ts';
import type { PgNotifier } from './notifier.ts';

const END = '__end__';
const FLUSH_MS = 50;
/** A subscriber looks again this often even without a notification (one may be missed across a reconnect). */
const POLL_MS = 1000;
/** A write of events (or its announcement) not answered by then is given up: a flush always settles. */
const WRITE_DEADLINE_MS = 5000;

/**
 * Run events in PostgreSQL, for clients connected to a process other than the one
 * executing the run. The executing process appends in small batches (one INSERT every few
 * milliseconds, then a NOTIFY); a subscriber reads from the table and waits for the next
 * notification. An `__end__` row closes a run's stream.
 *
 * Writes go through a connection of their own, one after another (a reader that has seen an
 * event must never find an earlier one stored after it), each within a deadline: behind the
 * pool they could wait without end, and every later flush, and each reader of an ended run,
 * with them. Events that cannot be stored are dropped (readers of an ended run then get its
 * final state), as the stream's log is a convenience for other processes, not the record.
 */
export class PgEventLog implements RunEventSink {
  readonly #db: Db;
  readonly #notifier: PgNotifier;
  readonly #writer: BoundedConnection;
  readonly #log: Logger | undefined;
  readonly #pending: Array<{ runId: string; seq: number; event: string; data: string }> = [];
  readonly #next = new Map<string, number>();
  readonly #waiters = new Map<string, Set<() => void>>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(db: Db, notifier: PgNotifier, options: { log?: Logger; writeDeadlineMs?: number } = {}) {
    this.#db = db;
    this.#notifier = notifier;
    this.#writer = new BoundedConnection(db, options.writeDeadlineMs ?? WRITE_DEADLINE_MS);
    this.#log = options.log;
    notifier.on('events', (payload) => {
      for (const runId of payload.split(',')) this.#wake(runId);
    });
    notifier.onReconnect(() => {
      for (const runId of this.#waiters.keys()) this.#wake(runId);
    });
  }

  /** A run starts (again) here: its earlier attempt's events make way for the new ones. */
  async restart(runId: string): Promise<void> {
    this.#next.delete(runId);
    await this.#db.query('DELETE FROM sb_run_events WHERE run_id = $1', [runId]);
  }

  append(runId: string, event: RunEvent): void {
    const seq = Number.parseInt(event.id, 10);
    this.#next.set(runId, seq + 1);
    this.#pending.push({ runId, seq, event: event.event, data: JSON.stringify(event.data ?? null) });
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  end(runId: string): void {
    const seq = this.#next.get(runId) ?? 1_000_000_000;
    this.#next.delete(runId);
    this.#pending.push({ runId, seq, event: END, data: 'null' });
    void this.flush();
  }

  /** Writes what is pending; resolves when it is stored and announced, or given up (within the write deadline). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(() =>
      this.#write(batch).catch((error: unknown) => this.#log?.warn({ err: error, events: batch.length }, 'run events could not be stored for other processes; dropped')),
    );
    return this.#flushing;
  }

  /** Flushes, then closes the writing connection; events appended later are dropped. */
  async close(): Promise<void> {
    await this.flush();
    await this.#writer.close();
  }

  async #write(batch: Array<{ runId: string; seq: number; event: string; data: string }>): Promise<void> {
    await this.#writer.query(`INSERT INTO sb_run_events (run_id, seq, event, data) SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`, [
      batch.map((row) => row.runId),
      batch.map((row) => row.seq),
      batch.map((row) => row.event),
      batch.map((row) => row.data),
    ]);
    const runIds = [...new Set(batch.map((row) => row.runId))];
    // NOTIFY payloads stop at 8000 bytes: announce in slices.
    for (let start = 0; start < runIds.length; start += 150) {
      await this.#writer.query('SELECT pg_notify($1, $2)', [this.#notifier.channel('events'), runIds.slice(start, start + 150).join(',')]);
    }
  }

  /**
   * The run's events after `lastEventId` (all of them without it), live until its stream
   * ends. With `ended`, a run with nothing left in the table (its events swept) ends at once.
   */
  async *subscribe(runId: string, options: { lastEventId?: string | undefined; signal?: AbortSignal | undefined; ended?: boolean } = {}): AsyncGenerator<RunEvent, SharedLogEnd> {
    const startAfter = options.lastEventId === undefined ? -1 : Number.parseInt(options.lastEventId, 10);
    let after = Number.isNaN(startAfter) ? -1 : startAfter;
    const signal = options.signal;
    // A run that ended here may still have its last events (and its END row) on their way to
    // the table: read after they are stored, or an empty table would look like a sweep.
    if (options.ended) await this.flush();
    while (!signal?.aborted) {
      const woken = this.#nextWake(runId, signal);
      const { rows } = await this.#db.query<{ seq: number; event: string; data: string }>(
        'SELECT seq, event, data FROM sb_run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT 500',
        [runId, after],
      );
      for (const row of rows) {
        if (row.event === END) return 'end';
        after = row.seq;
        yield { id: String(row.seq), event: row.event, data: JSON.parse(row.data) };
        if (signal?.aborted) return 'aborted';
      }
      // An ended run's stream always closes with an END row: none left means the sweep took it.
      if (rows.length === 0 && options.ended) return 'gone';
      if (rows.length < 500) await woken;
    }
    return 'aborted';
  }

  /** Forgets the events of streams that ended more than `retentionMs` ago. */
  async sweep(retentionMs: number): Promise<void> {
    await this.#db.query(
      `DELETE FROM sb_run_events e USING sb_run_events m
        WHERE m.event = '${END}' AND m.created_at < now() - ($1::int * interval '1 millisecond') AND e.run_id = m.run_id`,
      [retentionMs],
    );
  }

  #nextWake(runId: string, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.#waiters.get(runId);
      if (!set) this.#waiters.set(runId, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.#waiters.delete(runId);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, POLL_MS);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #wake(runId: string): void {
    for (const wake of [...(this.#waiters.get(runId) ?? [])]) wake();
  }
}
