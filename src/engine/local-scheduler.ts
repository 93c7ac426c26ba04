import type { Run, Storage, Thread } from '../storage/types.ts';
import type { RunQueue } from './queue.ts';
import { busyConflict, type CancelAction, type RunScheduler, type StopResult, type ThreadUpdate } from './scheduler.ts';
import type { StreamBroker } from './stream.ts';

/**
 * The scheduler of one process: the run queue in memory (the storage's queue of active
 * runs makes it durable). Deciding a strategy and registering the run happen without an
 * intervening await, so two messages arriving together can never both see an idle thread.
 */
export class LocalScheduler implements RunScheduler {
  readonly #storage: Storage;
  readonly #queue: RunQueue;
  readonly #broker: StreamBroker;
  readonly #now: () => Date;
  /** Resolves when a new run's record is stored; a stop waits for it before writing. */
  readonly #stored = new Map<string, Promise<unknown>>();

  constructor(options: { storage: Storage; queue: RunQueue; broker: StreamBroker; now?: () => Date }) {
    this.#storage = options.storage;
    this.#queue = options.queue;
    this.#broker = options.broker;
    this.#now = options.now ?? (() => new Date());
  }

  get runningCount(): number {
    return this.#queue.runningCount;
  }

  async admit(run: Run, options: { reject: boolean; markThread: (thread: Thread) => Thread | null }): Promise<Run[]> {
    // From here to queue.add: no await, so the in-flight check and the registration are one step.
    const inflight = this.#live(this.#queue.active(run.thread_id));
    if (inflight.length > 0 && options.reject) throw busyConflict(run.thread_id, inflight[0]!.run_id);
    this.#queue.add(run);
    this.#broker.open(run.run_id);
    const storing = (async () => {
      await this.#storage.runs.put(run);
      await this.updateThread(run.thread_id, (thread) => options.markThread(thread));
    })();
    this.#stored.set(
      run.run_id,
      storing.catch(() => undefined),
    );
    try {
      await storing;
    } catch (error) {
      this.#queue.removePending(run.run_id);
      this.#broker.drop(run.run_id);
      throw error;
    } finally {
      this.#stored.delete(run.run_id);
    }
    this.#queue.accept(run.run_id);
    return inflight;
  }

  async inflight(threadId: string): Promise<Run[]> {
    return this.#live(this.#queue.active(threadId));
  }

  async stop(run: Run, action: CancelAction): Promise<StopResult> {
    if (this.#queue.isRunning(run.run_id)) {
      await this.#queue.stop(run.run_id, action);
      return 'ran';
    }
    if (!this.#queue.removePending(run.run_id)) return 'gone';
    await this.#stored.get(run.run_id);
    if (action === 'rollback') await this.#storage.runs.delete(run.thread_id, run.run_id);
    else await this.#storage.runs.put({ ...run, status: 'interrupted', error: 'cancelled before it started', updated_at: this.#now().toISOString() });
    return 'removed';
  }

  async updateThread(threadId: string, update: ThreadUpdate): Promise<Thread | null> {
    const thread = await this.#storage.threads.get(threadId);
    if (!thread) return null;
    const next = update(thread, (exceptRunId) => this.#queue.active(threadId).some((run) => run.run_id !== exceptRunId));
    if (!next) return thread;
    await this.#storage.threads.put(next);
    return next;
  }

  async threadOf(): Promise<string | null> {
    // One process knows its runs' threads in memory (RunService); storage is keyed by thread.
    return null;
  }

  finished(run: Run): void {
    this.#queue.markDone(run.run_id);
  }

  async start(recovered: (runs: Run[]) => void): Promise<number> {
    const active = await this.#storage.runs.active();
    recovered(active);
    for (const run of active) {
      this.#queue.add(run);
      this.#broker.open(run.run_id);
    }
    for (const threadId of new Set(active.map((run) => run.thread_id))) {
      await this.updateThread(threadId, (thread) => (thread.status === 'busy' ? null : { ...thread, status: 'busy', updated_at: this.#now().toISOString() }));
    }
    for (const run of active) this.#queue.accept(run.run_id);
    return active.length;
  }

  pause(): void {
    this.#queue.pause();
  }

  async shutdown(): Promise<void> {
    await this.#queue.shutdown();
  }

  /** The queue holds runs as accepted; the one executing says so. */
  #live(runs: Run[]): Run[] {
    return runs.map((run) => (this.#queue.isRunning(run.run_id) ? { ...run, status: 'running' } : run));
  }
}
