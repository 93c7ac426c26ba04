import type { Run } from '../storage/types.ts';
import { RunStop, type StopReason } from './stop.ts';

export type Execute = (run: Run, signal: AbortSignal) => Promise<void>;

interface Entry {
  run: Run;
  /** Stored durably: only then may it start. */
  accepted: boolean;
  controller: AbortController | undefined;
  finished: Promise<void> | undefined;
  /** Its outcome is stored and told: no longer in flight, though its execution is still unwinding. */
  done: boolean;
}

/**
 * The run queue of one process: one run at a time per thread, in acceptance order, at
 * most `workers` runs at once across threads. Runs of different threads (and stateless
 * runs, each on its own temporary thread) run concurrently.
 */
export class RunQueue {
  readonly #execute: Execute;
  readonly #workers: number;
  readonly #now: () => number;
  /** Active runs per thread, oldest first; the head may be running. */
  readonly #threads = new Map<string, Entry[]>();
  readonly #entries = new Map<string, Entry>();
  #running = 0;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { execute: Execute; workers: number; now?: () => number }) {
    this.#execute = options.execute;
    this.#workers = options.workers;
    this.#now = options.now ?? Date.now;
  }

  /** Registers a run at once (so strategies see it), startable once `accept` is called. */
  add(run: Run): void {
    const entry: Entry = { run, accepted: false, controller: undefined, finished: undefined, done: false };
    this.#entries.set(run.run_id, entry);
    const list = this.#threads.get(run.thread_id);
    if (list) list.push(entry);
    else this.#threads.set(run.thread_id, [entry]);
  }

  accept(runId: string): void {
    const entry = this.#entries.get(runId);
    if (!entry) return;
    entry.accepted = true;
    this.pump();
  }

  /** Pending and running runs of a thread, oldest first. */
  active(threadId: string): Run[] {
    return (this.#threads.get(threadId) ?? []).filter((entry) => !entry.done).map((entry) => entry.run);
  }

  /**
   * The run's outcome is stored: it stops counting as in flight at once, so whoever is told
   * of its end (a client of runs/wait) can act on the thread without a 409. The next run of
   * the thread still starts only when this one's execution has returned.
   */
  markDone(runId: string): void {
    const entry = this.#entries.get(runId);
    if (entry) entry.done = true;
  }

  has(runId: string): boolean {
    return this.#entries.has(runId);
  }

  isRunning(runId: string): boolean {
    return this.#entries.get(runId)?.controller !== undefined;
  }

  get runningCount(): number {
    return this.#running;
  }

  /** Removes a run that has not started; false if it is running or unknown. */
  removePending(runId: string): boolean {
    const entry = this.#entries.get(runId);
    if (!entry || entry.controller) return false;
    this.#forget(entry);
    this.pump();
    return true;
  }

  /** Stops a running run; resolves when its execution (clean-up included) is over. */
  async stop(runId: string, reason: StopReason): Promise<void> {
    const entry = this.#entries.get(runId);
    if (!entry?.controller) return;
    if (!entry.controller.signal.aborted) entry.controller.abort(new RunStop(reason));
    await entry.finished;
  }

  pump(): void {
    if (this.#stopped) return;
    let nextWake = Number.POSITIVE_INFINITY;
    for (const list of this.#threads.values()) {
      if (this.#running >= this.#workers) break;
      const head = list[0];
      if (!head || head.controller || !head.accepted) continue;
      const notBefore = Date.parse(head.run.created_at);
      if (notBefore > this.#now()) {
        nextWake = Math.min(nextWake, notBefore);
        continue;
      }
      this.#start(head);
    }
    if (Number.isFinite(nextWake)) this.#wakeAt(nextWake);
  }

  /** Starts no more runs (those waiting stay stored, for the next start); running ones go on. */
  pause(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Stops every running run with reason `shutdown` (they stay active in storage and resume at the next start). */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const running = [...this.#entries.values()].filter((entry) => entry.controller);
    for (const entry of running) entry.controller!.abort(new RunStop('shutdown'));
    await Promise.allSettled(running.map((entry) => entry.finished));
  }

  #start(entry: Entry) {
    const controller = new AbortController();
    entry.controller = controller;
    this.#running += 1;
    entry.finished = (async () => {
      try {
        await this.#execute(entry.run, controller.signal);
      } finally {
        this.#running -= 1;
        this.#forget(entry);
        this.pump();
      }
    })();
  }

  #forget(entry: Entry) {
    this.#entries.delete(entry.run.run_id);
    const list = this.#threads.get(entry.run.thread_id);
    if (!list) return;
    const index = list.indexOf(entry);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#threads.delete(entry.run.thread_id);
  }

  #wakeAt(time: number) {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.pump();
      },
      Math.max(0, time - this.#now()),
    );
    this.#timer.unref();
  }
}
