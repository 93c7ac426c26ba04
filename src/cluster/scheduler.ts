import type { Logger } from 'pino';
import { busyConflict, type CancelAction, type RunScheduler, type SharedRuns, type StopResult, type ThreadUpdate } from '../engine/scheduler.ts';
import { RunStop } from '../engine/stop.ts';
import type { StreamBroker } from '../engine/stream.ts';
import type { Run, Thread } from '../storage/types.ts';
import type { Db, Sql } from '../storage/postgres/db.ts';
import { isUniqueViolation } from '../storage/postgres/sql.ts';
import { putThread } from '../storage/postgres/threads.ts';
import type { PgEventLog } from './event-log.ts';
import type { PgNotifier } from './notifier.ts';
import type { ProcessLease } from './process-lease.ts';

export interface PgSchedulerOptions {
  db: Db;
  notifier: PgNotifier;
  events: PgEventLog;
  lease: ProcessLease;
  execute: (run: Run, signal: AbortSignal) => Promise<void>;
  broker: StreamBroker;
  workers: number;
  log: Logger;
  /** Brings up what claiming needs (notifications, this process's lease) before the first claim. */
  beforeStart?: () => Promise<void>;
  /** Takes it down after the last run here has stopped. */
  afterShutdown?: () => Promise<void>;
  now?: () => Date;
}

/** A process looks for claimable runs this often even without a notification (delayed runs, missed notifications). */
const POLL_MS = 1000;

const ACTIVE_SQL = `status IN ('pending', 'running')`;

/**
 * The run queue in PostgreSQL, shared by every process on the database:
 *
 * - admission locks the thread's row, so the strategy sees every process's runs in flight;
 * - each process claims the oldest runnable run (`FOR UPDATE SKIP LOCKED`): the head of its
 *   thread's queue, while no run of that thread is running (a unique index makes sure);
 * - a stop reaches the executing process by NOTIFY; a pending run is stopped in the table;
 * - a process that stops heartbeating loses its runs to the others (see ProcessLease).
 */
export class PgScheduler implements RunScheduler {
  readonly #o: PgSchedulerOptions;
  readonly #now: () => Date;
  readonly #running = new Map<string, { controller: AbortController; finished: Promise<void> }>();
  readonly #doneWaiters = new Map<string, Set<() => void>>();
  readonly #finishedElsewhere = new Set<(runId: string) => void>();
  #stopped = false;
  #pumping = false;
  #pumpAgain = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: PgSchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  get runningCount(): number {
    return this.#running.size;
  }

  readonly claimsMarkRunning = true;

  readonly shared: SharedRuns = {
    subscribe: (runId, options) => this.#o.events.subscribe(runId, options),
    onFinishedElsewhere: (listener) => void this.#finishedElsewhere.add(listener),
  };

  async admit(run: Run, options: { reject: boolean; markThread: (thread: Thread) => Thread | null }): Promise<Run[]> {
    const inflight = await this.#o.db.transaction(async (client) => {
      const { thread, inflight: found } = await lockThread(client, run.thread_id);
      if (found.length > 0 && options.reject) throw busyConflict(run.thread_id, found[0]!.run_id);
      await client.query('INSERT INTO sb_runs (run_id, thread_id, status, metadata, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)', [
        run.run_id,
        run.thread_id,
        run.status,
        JSON.stringify(run.metadata),
        run.created_at,
        run,
      ]);
      const marked = thread ? options.markThread(thread) : null;
      if (marked) await putThread(client, marked);
      return found;
    });
    // This process takes the work itself when it has a free worker; only a full process
    // wakes the others (waking every process for every run would have all of them race for it).
    if (this.#running.size < this.#o.workers) this.#pump();
    else void this.#o.notifier.notify('wake', run.thread_id).catch(() => undefined);
    return inflight;
  }

  inflight(threadId: string): Promise<Run[]> {
    return inflightOf(this.#o.db, threadId);
  }

  async stop(run: Run, action: CancelAction): Promise<StopResult> {
    for (;;) {
      const state = await this.#o.db.transaction(async (client) => {
        const { rows } = await client.query<{ status: string; owner: string | null; doc: Run }>('SELECT status, owner, doc FROM sb_runs WHERE run_id = $1 FOR UPDATE', [
          run.run_id,
        ]);
        const row = rows[0];
        if (!row || (row.status !== 'pending' && row.status !== 'running')) return 'gone' as const;
        if (row.status === 'running') return { owner: row.owner };
        if (action === 'rollback') await client.query('DELETE FROM sb_runs WHERE run_id = $1', [run.run_id]);
        else {
          const stopped: Run = { ...row.doc, status: 'interrupted', error: 'cancelled before it started', updated_at: this.#now().toISOString() };
          await client.query('UPDATE sb_runs SET status = $2, doc = $3 WHERE run_id = $1', [run.run_id, stopped.status, stopped]);
        }
        return 'removed' as const;
      });
      if (state === 'gone' || state === 'removed') return state;
      const local = this.#running.get(run.run_id);
      if (local) {
        if (!local.controller.signal.aborted) local.controller.abort(new RunStop(action));
        await local.finished;
        return 'ran';
      }
      // Executing in another process: tell it, then wait until it has ended (or its owner
      // died and the run is pending again, to be stopped in the table on the next turn).
      const ended = this.#whenDone(run.run_id, POLL_MS);
      await this.#o.notifier.notify('cancel', `${run.run_id}:${action}`);
      await ended;
      const { rows } = await this.#o.db.query<{ status: string }>('SELECT status FROM sb_runs WHERE run_id = $1', [run.run_id]);
      if (!rows[0] || (rows[0].status !== 'pending' && rows[0].status !== 'running')) return 'ran';
    }
  }

  async updateThread(threadId: string, update: ThreadUpdate): Promise<Thread | null> {
    return this.#o.db.transaction(async (client) => {
      const { thread, inflight: active } = await lockThread(client, threadId);
      if (!thread) return null;
      const next = update(thread, (exceptRunId) => active.some((run) => run.run_id !== exceptRunId));
      if (!next) return thread;
      await putThread(client, next);
      return next;
    });
  }

  async threadOf(runId: string): Promise<string | null> {
    const { rows } = await this.#o.db.query<{ thread_id: string }>('SELECT thread_id FROM sb_runs WHERE run_id = $1', [runId]);
    return rows[0]?.thread_id ?? null;
  }

  finished(run: Run): void {
    void this.#o.notifier.notify('done', run.run_id).catch(() => undefined);
  }

  async start(recovered: (runs: Run[]) => void): Promise<number> {
    const { notifier, lease } = this.#o;
    await this.#o.beforeStart?.();
    notifier.on('wake', () => this.#pump());
    notifier.on('cancel', (payload) => {
      const [runId, action] = payload.split(':');
      const local = runId ? this.#running.get(runId) : undefined;
      if (local && !local.controller.signal.aborted && (action === 'interrupt' || action === 'rollback')) local.controller.abort(new RunStop(action));
    });
    notifier.on('done', (runId) => {
      for (const wake of [...(this.#doneWaiters.get(runId) ?? [])]) wake();
      if (!this.#running.has(runId)) for (const listener of this.#finishedElsewhere) listener(runId);
    });
    notifier.onReconnect(() => this.#pump());
    lease.onLost(() => this.#abandonAll());
    lease.onRequeued(() => this.#pump());
    // Runs this process left behind are another process's (or this one's, once the old lease expires) to take over.
    recovered([]);
    this.#timer = setInterval(() => this.#pump(), POLL_MS);
    this.#timer.unref();
    this.#pump();
    return 0;
  }

  /** Claims no more runs (they stay pending for the other processes, or the next start); running ones go on. */
  pause(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
  }

  async shutdown(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    const running = [...this.#running.values()];
    for (const entry of running) if (!entry.controller.signal.aborted) entry.controller.abort(new RunStop('shutdown'));
    await Promise.allSettled(running.map((entry) => entry.finished));
    // What stopped here is pending again: the other processes can take it now.
    await this.#o.notifier.notify('wake', '').catch(() => undefined);
    await this.#o.afterShutdown?.();
  }

  /** This process was declared dead (it stopped heartbeating): its runs are being executed elsewhere. */
  #abandonAll(): void {
    for (const entry of this.#running.values()) if (!entry.controller.signal.aborted) entry.controller.abort(new RunStop('lost'));
  }

  /** Claims runs while there are free workers; concurrent calls coalesce into one loop. */
  #pump(): void {
    if (this.#stopped) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void (async () => {
      try {
        do {
          this.#pumpAgain = false;
          while (!this.#stopped && this.#running.size < this.#o.workers) {
            const run = await this.#claim();
            if (!run) break;
            this.#execute(run);
          }
        } while (this.#pumpAgain && !this.#stopped);
      } catch (error) {
        this.#o.log.warn({ err: error }, 'could not claim runs; trying again shortly');
      } finally {
        this.#pumping = false;
      }
    })();
  }

  async #claim(): Promise<Run | null> {
    try {
      const { rows } = await this.#o.db.query<{ doc: Run }>(
        `UPDATE sb_runs r SET status = 'running', owner = $1,
                doc = r.doc || jsonb_build_object('status', 'running', 'attempt', coalesce((r.doc->>'attempt')::int, 0) + 1, 'updated_at', $2::text)
          WHERE r.run_id = (
            SELECT c.run_id FROM sb_runs c
             WHERE c.status = 'pending' AND c.created_at <= $2
               AND NOT EXISTS (
                 SELECT 1 FROM sb_runs o
                  WHERE o.thread_id = c.thread_id AND o.${ACTIVE_SQL} AND (o.status = 'running' OR o.seq < c.seq))
             ORDER BY c.seq
             LIMIT 1
             FOR UPDATE SKIP LOCKED)
          RETURNING r.doc`,
        [this.#o.lease.processId, this.#now().toISOString()],
      );
      return rows[0]?.doc ?? null;
    } catch (error) {
      // Another process started a run of the same thread in the same instant: the unique index refused this one.
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  #execute(run: Run): void {
    const controller = new AbortController();
    const entry = { controller, finished: Promise.resolve() };
    this.#running.set(run.run_id, entry);
    entry.finished = (async () => {
      try {
        if ((run.attempt ?? 1) > 1) await this.#o.events.restart(run.run_id);
        this.#o.broker.open(run.run_id);
        await this.#o.execute(run, controller.signal);
      } catch (error) {
        this.#o.log.error({ err: error, runId: run.run_id }, 'a run failed outside its graph');
      } finally {
        this.#running.delete(run.run_id);
        this.#pump();
      }
    })();
  }

  /** Resolves when `runId` is announced done, or after `timeoutMs`. */
  #whenDone(runId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#doneWaiters.get(runId);
      if (!set) this.#doneWaiters.set(runId, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.#doneWaiters.delete(runId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }
}

/**
 * Locks a thread's row for the rest of the transaction and reads it with its runs in
 * flight, in one round trip. Admissions and thread updates both start here, so they
 * happen one at a time per thread, across processes.
 */
async function lockThread(sql: Sql, threadId: string): Promise<{ thread: Thread | null; inflight: Run[] }> {
  const { rows } = await sql.query<{ doc: Thread; metadata: Thread['metadata']; values: Thread['values']; inflight: Array<{ doc: Run; status: Run['status'] }> | null }>(
    `SELECT t.doc, t.metadata, t."values",
            (SELECT json_agg(json_build_object('doc', r.doc, 'status', r.status) ORDER BY r.seq) FROM sb_runs r WHERE r.thread_id = t.thread_id AND r.${ACTIVE_SQL}) AS inflight
       FROM sb_threads t WHERE t.thread_id = $1 FOR UPDATE OF t`,
    [threadId],
  );
  const row = rows[0];
  if (!row) return { thread: null, inflight: await inflightOf(sql, threadId) };
  return { thread: { ...row.doc, metadata: row.metadata, values: row.values }, inflight: (row.inflight ?? []).map((entry) => ({ ...entry.doc, status: entry.status })) };
}

/** Pending and running runs of a thread, oldest first, as the table has them now. */
async function inflightOf(sql: Sql, threadId: string): Promise<Run[]> {
  const { rows } = await sql.query<{ doc: Run; status: Run['status'] }>(`SELECT doc, status FROM sb_runs WHERE thread_id = $1 AND ${ACTIVE_SQL} ORDER BY seq`, [threadId]);
  return rows.map((row) => ({ ...row.doc, status: row.status }));
}
