import { conflict } from '../errors.ts';
import type { Run, Thread } from '../storage/types.ts';
import type { RunEvent } from './stream.ts';

export type CancelAction = 'interrupt' | 'rollback';

/**
 * How stopping a run went: it was running and its execution has ended (`ran`); it was
 * still waiting and will never start, its record already says so (`removed`: interrupted,
 * or deleted by a rollback); or it had already ended (`gone`).
 */
export type StopResult = 'ran' | 'removed' | 'gone';

/** The refusal of a run under `reject`, naming the run in flight. */
export const busyConflict = (threadId: string, busyRunId: string) =>
  conflict(`thread ${threadId} is busy with run ${busyRunId}; the new run was rejected`, { thread_id: threadId, run_id: busyRunId });

/** What the thread looks like to an update: its record, and whether runs other than `exceptRunId` are in flight. */
/** Returns the thread to store, or null to leave it as it is. */
export type ThreadUpdate = (thread: Thread, hasActiveRuns: (exceptRunId?: string) => boolean) => Thread | null;

/**
 * Where runs wait and who executes them. The engine decides strategies and records
 * outcomes; the scheduler makes the decisions that must be atomic: "is this thread busy,
 * and if not, this run is next" and "this run will never start". One process keeps that
 * in memory (`LocalScheduler`); several processes keep it in PostgreSQL.
 */
export interface RunScheduler {
  /**
   * Checks the thread's runs in flight and, unless `reject` finds one, stores the new run
   * as pending and marks the thread busy with `markThread` — as one step. Returns the runs
   * in flight before it, oldest first. Throws `conflict` when rejected.
   */
  admit(run: Run, options: { reject: boolean; markThread: (thread: Thread) => Thread | null }): Promise<Run[]>;
  /** Pending and running runs of a thread, oldest first (a running one says `running`). */
  inflight(threadId: string): Promise<Run[]>;
  /**
   * Stops a run wherever it is. A running run gets the stop as its signal's reason and this
   * resolves when its execution has ended; a pending run is taken out of the queue and its
   * record updated (interrupted, or deleted for a rollback) in the same step.
   */
  stop(run: Run, action: CancelAction): Promise<StopResult>;
  /** Updates a thread's record atomically with respect to admissions and other updates of it. */
  updateThread(threadId: string, update: ThreadUpdate): Promise<Thread | null>;
  /** The thread of a run, for requests that name only the run. */
  threadOf(runId: string): Promise<string | null>;
  /** The run has ended and its outcome is stored (other processes may be waiting for it). */
  finished(run: Run): void;
  /**
   * Starts executing. Runs a previous run of this process left in flight are queued again;
   * `recovered` sees them before any can start. Returns how many there were.
   */
  start(recovered: (runs: Run[]) => void): Promise<number>;
  /** Starts no more runs (a graceful stop): those waiting stay stored for the next start; running ones go on. */
  pause(): void;
  /** Stops executing: running runs stop with `shutdown` and stay active for the next start (or another process). */
  shutdown(): Promise<void>;
  /** Runs executing in this process now. */
  readonly runningCount: number;
  /** Present when several processes share the runs (a run may execute in another process). */
  readonly shared?: SharedRuns | undefined;
  /** True when a claimed run is already stored as running with its attempt counted (the executor need not write it again). */
  readonly claimsMarkRunning?: boolean;
}

/** How reading a shared run log stopped: at its end, because the log was swept, or because the reader left. */
export type SharedLogEnd = 'end' | 'gone' | 'aborted';

/** What a process needs to follow runs that execute in other processes. */
export interface SharedRuns {
  /**
   * A run's events from the shared log (for a run not executing here). With `ended` (the run
   * is over) a log that no longer holds the run ends at once, answering `gone`, instead of
   * waiting for events that will never come; otherwise it answers how it stopped.
   */
  subscribe(runId: string, options: { lastEventId?: string | undefined; signal?: AbortSignal | undefined; ended?: boolean }): AsyncGenerator<RunEvent, SharedLogEnd>;
  /** Calls `listener` when a run ends in another process. */
  onFinishedElsewhere(listener: (runId: string) => void): void;
}
