/** One event of a run's stream, as the Platform names it (`values`, `updates|child:…`, `error`…). */
export interface RunEvent {
  /** Position in the run's log, from "0"; a client resumes after the last id it saw. */
  id: string;
  event: string;
  data: unknown;
}

interface RunLog {
  events: RunEvent[];
  done: boolean;
  waiters: Set<() => void>;
  expiry: NodeJS.Timeout | undefined;
}

export interface SubscribeOptions {
  /**
   * Replay from after this event id; "-1" replays from the start. Without it a
   * subscriber also gets every event from the start: a run's stream is a log, so a
   * client that starts listening a moment late loses nothing.
   */
  lastEventId?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Where a run's events also go, for subscribers in other processes (PostgreSQL). */
export interface RunEventSink {
  append(runId: string, event: RunEvent): void;
  /** The run's stream is over (finished, or rolled back). */
  end(runId: string): void;
}

/**
 * Keeps each run's events in order and hands them to any number of subscribers, live
 * or replayed. A finished run's log stays joinable for `retentionMs`, then is dropped.
 */
export class StreamBroker {
  readonly #logs = new Map<string, RunLog>();
  readonly #retentionMs: number;
  #sink: RunEventSink | undefined;

  constructor(options: { retentionMs: number }) {
    this.#retentionMs = options.retentionMs;
  }

  /** Also hands every event to `sink` (set once, before runs start). */
  mirrorTo(sink: RunEventSink): void {
    this.#sink = sink;
  }

  #log(runId: string): RunLog {
    let log = this.#logs.get(runId);
    if (!log) {
      log = { events: [], done: false, waiters: new Set(), expiry: undefined };
      this.#logs.set(runId, log);
    }
    return log;
  }

  /** Starts an empty log for a run that is (re)starting, so subscribers can wait on it. */
  open(runId: string): void {
    const old = this.#logs.get(runId);
    if (old?.expiry) clearTimeout(old.expiry);
    this.#logs.set(runId, { events: [], done: false, waiters: old?.waiters ?? new Set(), expiry: undefined });
  }

  publish(runId: string, event: string, data: unknown): RunEvent {
    const log = this.#log(runId);
    const entry = { id: String(log.events.length), event, data };
    log.events.push(entry);
    this.#wake(log);
    this.#sink?.append(runId, entry);
    return entry;
  }

  /** Marks the run's stream finished: subscribers drain what is left and end. */
  close(runId: string): void {
    this.#sink?.end(runId);
    const log = this.#log(runId);
    log.done = true;
    this.#wake(log);
    if (log.expiry) clearTimeout(log.expiry);
    log.expiry = setTimeout(() => this.#logs.delete(runId), this.#retentionMs);
    log.expiry.unref();
  }

  /** Forgets a run at once (deleted or rolled back). */
  drop(runId: string): void {
    this.#sink?.end(runId);
    const log = this.#logs.get(runId);
    if (!log) return;
    log.done = true;
    this.#wake(log);
    if (log.expiry) clearTimeout(log.expiry);
    this.#logs.delete(runId);
  }

  has(runId: string): boolean {
    return this.#logs.has(runId);
  }

  isDone(runId: string): boolean {
    return this.#logs.get(runId)?.done ?? true;
  }

  async *subscribe(runId: string, options: SubscribeOptions = {}): AsyncGenerator<RunEvent> {
    const startAfter = options.lastEventId === undefined ? -1 : Number.parseInt(options.lastEventId, 10);
    let next = Number.isNaN(startAfter) ? 0 : Math.max(0, startAfter + 1);
    const signal = options.signal;
    while (!signal?.aborted) {
      const log = this.#logs.get(runId);
      if (!log) return;
      while (next < log.events.length) {
        yield log.events[next]!;
        next += 1;
        if (signal?.aborted) return;
      }
      if (log.done) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          log.waiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        log.waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  #wake(log: RunLog) {
    for (const wake of [...log.waiters]) wake();
  }
}
