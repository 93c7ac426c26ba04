import { jsonSize } from '../util/json-size.ts';
import { eventText, type PackedEvents, StreamPages } from './stream-pages.ts';

/** One event of a run's stream, as the Platform names it (`values`, `updates|child:…`, `error`…). */
export interface RunEvent {
  /** Position in the run's log, from "0"; a client resumes after the last id it saw. */
  id: string;
  event: string;
  data: unknown;
}

interface RunLog {
  /** The events of a running run, as published. */
  events: RunEvent[];
  /**
   * A finished run's events as JSON text, parsed again when read. Why: live, a `values` event
   * is a tree of small objects (a whole conversation) that takes two to three times its JSON
   * size in the heap; measured: 75 MiB held for a 32 MiB budget. As text, what the budget
   * counts is what memory holds; the text is kept outside the heap (see stream-pages.ts).
   */
  packed: PackedEvents | null;
  done: boolean;
  waiters: Set<() => void>;
  expiry: NodeJS.Timeout | undefined;
  /** Dropped from memory to keep finished logs within the byte budget; readers already on it finish it. */
  evicted: boolean;
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

export interface StreamBrokerOptions {
  /** How long a finished run's log stays joinable. */
  retentionMs: number;
  /** The most that finished runs' logs hold in memory together (their events' JSON size); the oldest go first. */
  memoryBytes: number;
}

/**
 * Keeps each run's events in order and hands them to any number of subscribers, live
 * or replayed. A finished run's log stays joinable for `retentionMs`, or until the logs of
 * runs that finished after it fill `memoryBytes`; a running run's log is never dropped.
 */
export class StreamBroker {
  readonly #logs = new Map<string, RunLog>();
  /** Finished runs' logs in the order they finished, with their sizes: the eviction queue. */
  readonly #finished = new Map<string, number>();
  #finishedBytes = 0;
  readonly #retentionMs: number;
  readonly #memoryBytes: number;
  readonly #pages = new StreamPages();
  #sink: RunEventSink | undefined;

  constructor(options: StreamBrokerOptions) {
    this.#retentionMs = options.retentionMs;
    this.#memoryBytes = options.memoryBytes;
  }

  /** The size of the finished runs' logs held now, in bytes of JSON. */
  get finishedBytes(): number {
    return this.#finishedBytes;
  }

  /** Also hands every event to `sink` (set once, before runs start). */
  mirrorTo(sink: RunEventSink): void {
    this.#sink = sink;
  }

  #log(runId: string): RunLog {
    let log = this.#logs.get(runId);
    if (!log) {
      log = { events: [], packed: null, done: false, waiters: new Set(), expiry: undefined, evicted: false };
      this.#logs.set(runId, log);
    }
    return log;
  }

  /** Starts an empty log for a run that is (re)starting, so subscribers can wait on it. */
  open(runId: string): void {
    const old = this.#logs.get(runId);
    if (old?.expiry) clearTimeout(old.expiry);
    this.#unaccount(runId);
    this.#logs.set(runId, { events: [], packed: null, done: false, waiters: old?.waiters ?? new Set(), expiry: undefined, evicted: false });
  }

  publish(runId: string, event: string, data: unknown): RunEvent {
    const log = this.#log(runId);
    const entry = { id: String(eventCount(log)), event, data };
    if (log.packed) log.packed = this.#pages.append(log.packed, JSON.stringify(entry));
    else log.events.push(entry);
    this.#wake(log);
    this.#sink?.append(runId, entry);
    return entry;
  }

  /** Marks the run's stream finished: subscribers drain what is left and end. */
  close(runId: string): void {
    this.#sink?.end(runId);
    const log = this.#log(runId);
    if (log.done) return;
    log.done = true;
    this.#wake(log);
    if (log.expiry) clearTimeout(log.expiry);
    log.expiry = setTimeout(() => this.#forget(runId), this.#retentionMs);
    log.expiry.unref();
    const bytes = pack(log, this.#pages);
    this.#finished.set(runId, bytes);
    this.#finishedBytes += bytes;
    this.#evictOverBudget();
  }

  /** Drops every finished run's log, as the byte budget would (the server has gone quiet: see ops/idle-memory.ts). */
  releaseFinished(): void {
    for (const runId of [...this.#finished.keys()]) {
      const log = this.#logs.get(runId);
      if (log) log.evicted = true;
      this.#forget(runId);
    }
    this.#pages.reset();
  }

  #evictOverBudget(): void {
    for (const runId of this.#finished.keys()) {
      if (this.#finishedBytes <= this.#memoryBytes) return;
      const log = this.#logs.get(runId);
      if (log) log.evicted = true;
      this.#forget(runId);
    }
  }

  #forget(runId: string): void {
    const log = this.#logs.get(runId);
    if (log?.expiry) clearTimeout(log.expiry);
    this.#logs.delete(runId);
    this.#unaccount(runId);
  }

  #unaccount(runId: string): void {
    const bytes = this.#finished.get(runId);
    if (bytes === undefined) return;
    this.#finished.delete(runId);
    this.#finishedBytes -= bytes;
  }

  /** Forgets a run at once (deleted or rolled back). */
  drop(runId: string): void {
    this.#sink?.end(runId);
    const log = this.#logs.get(runId);
    if (!log) return;
    log.done = true;
    this.#wake(log);
    this.#forget(runId);
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
    let reading: RunLog | undefined;
    while (!signal?.aborted) {
      // A reader already on a log that is evicted meanwhile reads it to its end.
      const log = this.#logs.get(runId) ?? (reading?.evicted ? reading : undefined);
      if (!log) return;
      reading = log;
      while (next < eventCount(log)) {
        yield eventAt(log, next);
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

/**
 * Turns a finished log's events into JSON text and returns its size in bytes (about: string
 * lengths). Events that cannot be written as JSON (they are plain wire values, so this is a
 * safety net) stay as they are, measured at a guess.
 */
function pack(log: RunLog, pages: StreamPages): number {
  if (log.packed) return log.packed.length;
  try {
    log.packed = pages.store(log.events.map((event) => JSON.stringify(event)));
  } catch {
    return log.events.reduce((bytes, event) => bytes + event.event.length + jsonSize(event.data), 0);
  }
  log.events = [];
  return log.packed.length;
}

function eventCount(log: RunLog): number {
  return log.packed ? log.packed.ends.length : log.events.length;
}

function eventAt(log: RunLog, index: number): RunEvent {
  if (!log.packed) return log.events[index]!;
  return JSON.parse(eventText(log.packed, index)) as RunEvent;
}
