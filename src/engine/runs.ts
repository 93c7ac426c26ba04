import type { Logger } from 'pino';
import { isSwitchboardError, notFound, SwitchboardError } from '../errors.ts';
import { doubleTexts } from '../ops/metrics.ts';
import { type TraceCarrier, tracing } from '../ops/tracing/index.ts';
import type { MultitaskStrategy, Run, RunStatus, Storage } from '../storage/types.ts';
import { jsonSize } from '../util/json-size.ts';
import { KeyedSerial } from '../util/keyed-serial.ts';
import { LruMap } from '../util/lru.ts';
import type { AssistantService } from './assistants.ts';
import type { RunOutcome } from './executor.ts';
import { parseRequest } from './requests/parse.ts';
import { runCreateSchema, type RunCreate } from './requests/runs.ts';
import { buildRun } from './run-request.ts';
import type { CancelAction, RunScheduler } from './scheduler.ts';
import type { RunEvent, StreamBroker } from './stream.ts';
import type { ThreadService } from './threads.ts';
import { sendWebhook } from './webhook.ts';
import type { WebhookPolicy } from './webhook-policy.ts';

const ACTIVE: ReadonlySet<RunStatus> = new Set(['pending', 'running']);
/** How many finished runs' threads are remembered for requests naming only the run (about 100 bytes each). */
const FINISHED_RUNS_REMEMBERED = 10_000;
/** What the remembered finished outcomes may hold together (JSON bytes of their values); older ones are answered from storage. */
const FINISHED_OUTCOMES_BYTES = 8 * 1024 * 1024;
/** The id of the one event that stands for a finished run's stream once its events are gone. */
export const FINAL_EVENT_ID = 'final';
export const isActive = (run: Run) => ACTIVE.has(run.status);

export type { CancelAction } from './scheduler.ts';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

/** About what an outcome holds: its values (most of it) and a little for the rest. */
const outcomeBytes = (outcome: RunOutcome) => 200 + jsonSize(outcome.values);

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

export interface RunServiceOptions {
  storage: Storage;
  assistants: AssistantService;
  threads: ThreadService;
  scheduler: RunScheduler;
  broker: StreamBroker;
  log: Logger;
  defaultStrategy: MultitaskStrategy;
  /** False (langgraph.json `http.disable_webhooks`): a run's `webhook` is kept but never called. */
  webhooks?: boolean;
  /** langgraph.json's `webhooks`: which webhook URLs runs may name, and how they are called. */
  webhookPolicy?: WebhookPolicy | undefined;
  now?: () => Date;
}

/**
 * Runs: creation with the thread's double-texting strategy, join, streams, cancel. The
 * scheduler makes the atomic decisions (is the thread busy; will this run ever start);
 * this service keeps the records and outcomes around them.
 */
export class RunService {
  readonly #o: RunServiceOptions;
  readonly #now: () => Date;
  /** Runs in flight here, each with its thread and the outcome its joiners wait for; a finished run's is read from storage. */
  readonly #outcomes = new Map<string, Deferred<RunOutcome> & { threadId: string }>();
  /** Thread of the latest finished runs, for requests that name only the run (stateless streams). */
  readonly #threadOfRun = new LruMap<string, string>(FINISHED_RUNS_REMEMBERED);
  /**
   * The outcomes of the latest finished runs, each with the values it ended with (storage
   * has only the thread's latest, and nothing of a rolled-back run); bounded by count and size.
   */
  readonly #finishedOutcomes = new LruMap<string, RunOutcome>(FINISHED_RUNS_REMEMBERED, undefined, { max: FINISHED_OUTCOMES_BYTES, of: outcomeBytes });
  readonly #admissions = new KeyedSerial();

  constructor(options: RunServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    // A run created here may end in another process: its waiters learn the outcome from storage.
    options.scheduler.shared?.onFinishedElsewhere((runId) => void this.#settleFromStorage(runId).catch(() => undefined));
  }

  async #settleFromStorage(runId: string): Promise<void> {
    const threadId = this.#outcomes.get(runId)?.threadId;
    if (!threadId) return;
    const run = await this.#o.storage.runs.get(threadId, runId).catch(() => null);
    if (run && isActive(run)) return;
    const outcome = run ? await this.#storedOutcome(run) : rolledBackOutcome(runId, threadId, (await this.#o.threads.find(threadId))?.values ?? null);
    this.#settle(runId, outcome);
  }

  /** A run in flight here: joiners wait for its outcome. */
  #expect(runId: string, threadId: string): void {
    this.#outcomes.set(runId, { ...deferred<RunOutcome>(), threadId });
  }

  /** Hands a finished run's outcome to its joiners and lets it go from memory. */
  #settle(runId: string, outcome: RunOutcome): void {
    const waiting = this.#outcomes.get(runId);
    if (waiting) this.#threadOfRun.set(runId, waiting.threadId);
    waiting?.resolve(outcome);
    this.#outcomes.delete(runId);
    this.#finishedOutcomes.set(runId, outcome);
  }

  /** Creates a run; runs of one thread are admitted in the order they were asked for. */
  /** Forgets the finished outcomes kept for joins (they are read from storage when asked). */
  releaseMemory(): void {
    this.#finishedOutcomes.clear();
  }

  create(threadId: string | null, payload: RunCreate): Promise<Run> {
    // Taken here, in the caller's context (the HTTP request's or chat message's span).
    const traceContext = tracing().carrier();
    if (threadId === null) return this.#create(null, payload, traceContext);
    return this.#admissions.run(threadId, () => this.#create(threadId, payload, traceContext));
  }

  async #create(threadId: string | null, request: RunCreate, traceContext: TraceCarrier | undefined): Promise<Run> {
    const { assistants, threads, scheduler } = this.#o;
    const payload = parseRequest(runCreateSchema, request);
    if (payload.webhook) await this.checkWebhook(payload.webhook);
    const assistant = await assistants.find(payload.assistant_id);
    if (!assistant) {
      // The Platform's words, which clients match on.
      throw new SwitchboardError('not_found', `No assistant found for "${payload.assistant_id}". Make sure the assistant ID is for a valid assistant or a valid graph ID.`, {
        details: { what: 'assistant', id: payload.assistant_id },
      });
    }
    const stateless = threadId === null;
    let thread = stateless ? null : await threads.find(threadId);
    // Values the graph cannot take are refused now: accepted, they would be stored and break the thread's state.
    await threads.checkValues(assistant.graph_id, thread?.thread_id ?? null, payload.input, 'input');
    await threads.checkValues(assistant.graph_id, thread?.thread_id ?? null, commandUpdate(payload.command), 'command.update');
    if (!thread) {
      if (!stateless && payload.if_not_exists !== 'create') throw notFound('thread', threadId);
      thread = await threads.create({
        ...(stateless ? {} : { thread_id: threadId }),
        // The run's metadata goes with the thread it creates (an owner stamped by custom auth, too), as on the Platform.
        metadata: { ...payload.metadata, graph_id: assistant.graph_id, assistant_id: assistant.assistant_id },
        if_exists: 'do_nothing',
      });
    }
    const strategy = payload.multitask_strategy ?? strategyOf(assistant.metadata) ?? this.#o.defaultStrategy;
    // The thread's latest run holds what the thread carries into this one (see buildRun).
    const previous = stateless ? null : ((await this.#o.storage.runs.listByThread(thread.thread_id, { limit: 1, offset: 0 }))[0] ?? null);
    const run = buildRun({ payload, assistant, thread, previous, strategy, stateless, now: this.#now() });
    if (traceContext) run.trace_context = traceContext;
    this.#expect(run.run_id, run.thread_id);
    let inflight: Run[];
    try {
      inflight = await scheduler.admit(run, {
        reject: strategy === 'reject',
        // The thread is busy and belongs to the run's graph and assistant from now on (its state is readable while the run is in flight).
        markThread: (current) =>
          current.status === 'busy' && current.metadata.graph_id === assistant.graph_id && current.metadata.assistant_id === assistant.assistant_id
            ? null
            : {
                ...current,
                status: 'busy',
                metadata: { ...current.metadata, graph_id: assistant.graph_id, assistant_id: assistant.assistant_id },
                updated_at: this.#now().toISOString(),
              },
      });
    } catch (error) {
      this.#outcomes.delete(run.run_id);
      // A second message refused because the thread was busy: a double text handled by `reject`.
      if (isSwitchboardError(error, 'conflict') && strategy === 'reject') doubleTexts.inc({ strategy });
      throw error;
    }
    if (inflight.length > 0) doubleTexts.inc({ strategy });
    if (strategy === 'interrupt' || strategy === 'rollback') {
      for (const earlier of inflight) {
        this.#stop(earlier, strategy).catch((error: unknown) => this.#o.log.error({ err: error, runId: earlier.run_id }, 'could not stop a run'));
      }
    }
    return run;
  }

  async get(threadId: string, runId: string): Promise<Run> {
    const run = await this.#o.storage.runs.get(threadId, runId).catch(() => null);
    if (!run) throw notFound('run', runId);
    return run;
  }

  async list(threadId: string, query: { limit?: number; offset?: number; status?: RunStatus } = {}): Promise<Run[]> {
    await this.#o.threads.get(threadId);
    return this.#o.storage.runs.listByThread(threadId, { limit: query.limit ?? 10, offset: query.offset ?? 0, ...(query.status ? { status: query.status } : {}) });
  }

  /** Deletes a run's record; a run in flight is stopped first (its checkpoints stay). */
  async delete(threadId: string, runId: string): Promise<void> {
    const run = await this.get(threadId, runId);
    if (isActive(run)) await this.#stop(run, 'interrupt');
    await this.#o.storage.runs.delete(threadId, runId);
    this.#o.broker.drop(runId);
  }

  /** Cancels a run: `interrupt` keeps what it wrote, `rollback` erases it. Finished runs are left as they are. */
  async cancel(threadId: string, runId: string, options: { action?: CancelAction; wait?: boolean } = {}): Promise<Run> {
    const run = await this.get(threadId, runId);
    if (!isActive(run)) return run;
    const stopping = this.#stop(run, options.action ?? 'interrupt');
    if (options.wait) await stopping;
    else stopping.catch((error: unknown) => this.#o.log.error({ err: error, runId }, 'could not cancel a run'));
    return run;
  }

  /** Pending and running runs of a thread, oldest first. */
  inflight(threadId: string): Promise<Run[]> {
    return this.#o.scheduler.inflight(threadId);
  }

  /** Cancels every pending and running run of a thread. */
  async cancelAll(threadId: string, options: { action?: CancelAction; wait?: boolean } = {}): Promise<string[]> {
    const runs = await this.#o.scheduler.inflight(threadId);
    const stopping = Promise.all(runs.map((run) => this.#stop(run, options.action ?? 'interrupt')));
    if (options.wait) await stopping;
    return runs.map((run) => run.run_id);
  }

  /** Waits for a run to end and reports how: final values, interrupts, or the error. */
  async join(threadId: string, runId: string): Promise<RunOutcome> {
    const pending = this.#outcomes.get(runId);
    if (pending) {
      if (!this.#o.scheduler.shared) return pending.promise;
      // Shared runs end wherever they execute; a missed notification must not leave a waiter hanging.
      const poll = setInterval(() => void this.#settleFromStorage(runId).catch(() => undefined), 2000);
      try {
        return await pending.promise;
      } finally {
        clearInterval(poll);
      }
    }
    const finished = this.#finishedOutcomes.get(runId);
    if (finished) return finished;
    const run = await this.get(threadId, runId);
    if (isActive(run) && this.#o.scheduler.shared) {
      this.#expect(runId, threadId);
      return this.join(threadId, runId);
    }
    return this.#storedOutcome(run);
  }

  /** The outcome of a finished run, from its record and its thread. */
  async #storedOutcome(run: Run): Promise<RunOutcome> {
    const thread = await this.#o.threads.find(run.thread_id);
    const interrupts = Object.values(thread?.interrupts ?? {}).flat();
    return {
      run_id: run.run_id,
      thread_id: run.thread_id,
      status: run.status,
      values: thread?.values ? { ...thread.values, ...(interrupts.length > 0 ? { __interrupt__: interrupts } : {}) } : null,
      interrupts,
      error: run.status === 'error' || run.status === 'timeout' ? { error: run.status === 'timeout' ? 'TimeoutError' : 'Error', message: run.error ?? 'the run failed' } : null,
      rolled_back: false,
    };
  }

  /**
   * The run's events from the start (or after `lastEventId`), live until it ends. A finished
   * run whose events are no longer kept (past `runs.stream_retention_seconds`, pushed out of
   * `runs.stream_memory_bytes`, or from before a restart) answers its final state instead,
   * as the Platform does when a finished run is joined.
   */
  async *stream(
    threadId: string,
    runId: string,
    options: { lastEventId?: string | undefined; signal?: AbortSignal | undefined; cancelOnDisconnect?: boolean } = {},
  ): AsyncGenerator<RunEvent> {
    const { broker, scheduler } = this.#o;
    const inMemory = broker.has(runId);
    // A log in memory is the run's own proof of existence (a stateless run's record goes with its thread).
    const record = inMemory ? undefined : await this.get(threadId, runId);
    const over = record !== undefined && !isActive(record) && !inMemory;
    let finished = false;
    try {
      if (over && !scheduler.shared) {
        yield await this.#finalEvent(record);
        finished = true;
      } else if (scheduler.shared && !broker.has(runId)) {
        // Executing in another process, or not started yet, or over: follow the shared log while it holds the run.
        const found = yield* scheduler.shared.subscribe(runId, { lastEventId: options.lastEventId, signal: options.signal, ended: over });
        if (over && found === 'gone' && !options.signal?.aborted) yield await this.#finalEvent(record);
        finished = !options.signal?.aborted;
      } else {
        yield* broker.subscribe(runId, { lastEventId: options.lastEventId, signal: options.signal });
        finished = broker.isDone(runId);
      }
    } finally {
      if (!finished && options.cancelOnDisconnect && options.signal?.aborted) {
        await this.cancel(threadId, runId, { action: 'interrupt' }).catch(() => undefined);
      }
    }
  }

  /** A finished run's end as one event: its final values, or its error. */
  async #finalEvent(run: Run): Promise<RunEvent> {
    const outcome = await this.#storedOutcome(run);
    return outcome.error ? { id: FINAL_EVENT_ID, event: 'error', data: outcome.error } : { id: FINAL_EVENT_ID, event: 'values', data: outcome.values ?? {} };
  }

  /** Creates a run and waits for its outcome. */
  async wait(threadId: string | null, payload: RunCreate): Promise<{ run: Run; outcome: RunOutcome }> {
    const run = await this.create(threadId, payload);
    return { run, outcome: await this.join(run.thread_id, run.run_id) };
  }

  /** Called by the executor when a run has ended and everything about it is stored. */
  finished(run: Run, outcome: RunOutcome): void {
    // The scheduler first: whoever learns of the end may act on the thread at once.
    this.#o.scheduler.finished(run);
    this.#settle(run.run_id, outcome);
    if (run.kwargs.webhook && this.#o.webhooks !== false) void sendWebhook(run, outcome, this.#o.log, { policy: this.#o.webhookPolicy });
  }

  /** Refuses (invalid_input) a webhook URL the project's webhooks policy does not allow; any URL without one. */
  async checkWebhook(url: string): Promise<void> {
    await this.#o.webhookPolicy?.check(url);
  }

  /** The thread of a run (for requests that name only the run), or undefined if unknown. */
  async threadOf(runId: string): Promise<string | undefined> {
    return this.#outcomes.get(runId)?.threadId ?? this.#threadOfRun.get(runId) ?? (await this.#o.scheduler.threadOf(runId)) ?? undefined;
  }

  /**
   * Start-up: every run that was accepted and not finished goes back in the queue, in
   * acceptance order. A run that was running starts again with the same id, so LangGraph
   * resumes it from its last checkpoint instead of applying its input twice.
   */
  async recover(): Promise<number> {
    return this.#o.scheduler.start((runs) => {
      for (const run of runs) {
        this.#expect(run.run_id, run.thread_id);
      }
    });
  }

  async #stop(run: Run, action: CancelAction): Promise<void> {
    const { scheduler, broker, threads } = this.#o;
    // A running run ends through its executor; a pending one is over once the scheduler has taken it out.
    if ((await scheduler.stop(run, action)) !== 'removed') return;
    const rolledBack = action === 'rollback';
    if (rolledBack) broker.drop(run.run_id);
    else broker.close(run.run_id);
    const thread = await threads.refresh(run.thread_id, { stopped: true, endingRunId: run.run_id });
    this.finished(run, {
      run_id: run.run_id,
      thread_id: run.thread_id,
      status: 'interrupted',
      values: thread?.values ?? null,
      interrupts: [],
      error: null,
      rolled_back: rolledBack,
    });
  }
}

function rolledBackOutcome(runId: string, threadId: string, values: Record<string, unknown> | null): RunOutcome {
  return { run_id: runId, thread_id: threadId, status: 'interrupted', values, interrupts: [], error: null, rolled_back: true };
}

function strategyOf(metadata: Record<string, unknown>): MultitaskStrategy | undefined {
  const value = metadata.multitask_strategy;
  return value === 'reject' || value === 'enqueue' || value === 'interrupt' || value === 'rollback' ? value : undefined;
}

/** A command's `update` as channel values (it may be given as [key, value] pairs). */
function commandUpdate(command: { update?: unknown } | undefined): Record<string, unknown> | undefined {
  const update = command?.update;
  if (Array.isArray(update)) return Object.fromEntries(update.filter((pair): pair is [string, unknown] => Array.isArray(pair) && typeof pair[0] === 'string'));
  return update !== null && typeof update === 'object' ? (update as Record<string, unknown>) : undefined;
}
