import type { Logger } from 'pino';
import { runDuration, runsInFlight, runsTotal } from '../ops/metrics.ts';
import { tracing } from '../ops/tracing/index.ts';
import { flushLangSmith } from '../ops/tracing/langsmith.ts';
import type { InterruptRecord, Run, RunStatus, Storage } from '../storage/types.ts';
import { toCommand } from './command.ts';
import type { GraphRegistry, RunnableGraph } from './graphs.ts';
import { RunCheckpointer } from './run-checkpointer.ts';
import { libraryModes, StreamTranslator } from './stream-modes.ts';
import type { StreamMode } from './requests/runs.ts';
import { toThreadState, type ThreadState } from './state.ts';
import { runSignal } from './run-signal.ts';
import { stopReasonOf } from './stop.ts';
import type { StreamBroker } from './stream.ts';
import type { ThreadService } from './threads.ts';

/** A run is restarted after a crash at most this many times, so a graph that kills the process cannot loop. */
export const MAX_ATTEMPTS = 3;

/** How a run ended, as `join` and `wait` report it. */
export interface RunOutcome {
  run_id: string;
  thread_id: string;
  status: RunStatus;
  /** The thread's values when the run ended, with `__interrupt__` when it waits for a human. */
  values: Record<string, unknown> | null;
  interrupts: InterruptRecord[];
  error: { error: string; message: string } | null;
  /** The run was stopped by a rollback: it and its checkpoints no longer exist. */
  rolled_back: boolean;
}

export interface ExecutorOptions {
  storage: Storage;
  graphs: GraphRegistry;
  threads: ThreadService;
  broker: StreamBroker;
  log: Logger;
  /** Default limit for runs that set none. */
  timeoutSeconds?: number | undefined;
  onFinish: (run: Run, outcome: RunOutcome) => void;
  /** The scheduler already stored the run as running, attempt counted, when it claimed it (PostgreSQL). */
  claimedRunning?: () => boolean;
  now?: () => Date;
}

/**
 * Executes one run: streams the graph, publishes its events, and records how it ended on
 * the run and its thread. A stop (interrupt, rollback, timeout) arrives as the signal's
 * reason; rollback erases the run and every checkpoint it wrote.
 */
export class RunExecutor {
  readonly #o: ExecutorOptions;
  readonly #now: () => Date;

  constructor(options: ExecutorOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  async execute(accepted: Run, queueSignal: AbortSignal): Promise<void> {
    const { broker, log } = this.#o;
    const claimed = this.#o.claimedRunning?.() ?? false;
    const run: Run = claimed ? accepted : { ...accepted, status: 'running', attempt: (accepted.attempt ?? 0) + 1, updated_at: this.#now().toISOString() };
    const threadId = run.thread_id;
    const stop = runSignal(queueSignal, run.kwargs.timeout_seconds ?? this.#o.timeoutSeconds);
    const signal = stop.signal;
    let outcome: RunOutcome;
    runsInFlight.inc();
    try {
      // The run's span joins the trace it was created in (stored with it), wherever and whenever it executes.
      outcome = await tracing().inSpan('run', { kind: 'consumer', parent: run.trace_context ?? null, attributes: runAttributes(run) }, async (span) => {
        const ended = await this.#attempt(run, claimed, signal);
        span.setAttributes({ 'switchboard.run.status': ended.status });
        if (ended.error) span.fail(ended.error.message);
        return ended;
      });
    } finally {
      stop.dispose();
      runsInFlight.dec();
    }
    const reason = stopReasonOf(signal);
    if (reason === 'shutdown' || reason === 'lost') return;
    if (run.kwargs.stateless && run.kwargs.on_completion !== 'keep') {
      await this.#o.threads.purge(threadId).catch((error: unknown) => log.warn({ err: error, threadId }, 'could not delete a stateless run thread'));
    }
    if (outcome.rolled_back) broker.drop(run.run_id);
    else broker.close(run.run_id);
    this.#o.onFinish(run, outcome);
  }

  /** Executes the run once: streams the graph, or records why it could not. */
  async #attempt(run: Run, claimed: boolean, signal: AbortSignal): Promise<RunOutcome> {
    const { storage, broker } = this.#o;
    try {
      if (run.attempt! > MAX_ATTEMPTS) return await this.#fail(run, `the run was interrupted by ${MAX_ATTEMPTS} server restarts; not retried again`);
      if (!claimed) await storage.runs.put(run);
      // Exactly what the Platform sends: clients compare it whole.
      broker.publish(run.run_id, 'metadata', { run_id: run.run_id, attempt: run.attempt });
      return await this.#stream(run, signal);
    } catch (error) {
      return this.#handleFailure(run, signal, error);
    }
  }

  async #stream(run: Run, signal: AbortSignal): Promise<RunOutcome> {
    const { storage, graphs, broker } = this.#o;
    const mark = await storage.checkpointer.mark(run.thread_id);
    signal.throwIfAborted();
    const config = run.kwargs.config ?? {};
    const graphId = String(config.configurable?.graph_id ?? '');
    const graph = await graphs.get(graphId, config);
    const modes = (run.kwargs.stream_mode ?? ['values']) as StreamMode[];
    const subgraphs = run.kwargs.stream_subgraphs ?? false;
    const translator = new StreamTranslator(modes, subgraphs, (event, data) => broker.publish(run.run_id, event, data));
    const input = runInput(run);
    const saver = new RunCheckpointer(storage.checkpointer);
    const options: Record<string, unknown> = {
      // The run writes through its own checkpointer, sealed when the run ends or stops.
      configurable: { ...config.configurable, __pregel_checkpointer: saver },
      metadata: { ...config.metadata, run_attempt: run.attempt },
      context: run.kwargs.context,
      streamMode: libraryModes(modes),
      subgraphs,
      signal,
      runId: run.run_id,
    };
    // Graph nodes and model calls as child spans of the run's (none when tracing is off).
    const callbacks = tracing().langchainCallbacks();
    if (callbacks.length > 0) options.callbacks = callbacks;
    if (config.tags) options.tags = config.tags;
    if (config.recursion_limit !== undefined) options.recursionLimit = config.recursion_limit;
    if (run.kwargs.interrupt_before) options.interruptBefore = run.kwargs.interrupt_before;
    if (run.kwargs.interrupt_after) options.interruptAfter = run.kwargs.interrupt_after;
    if (run.kwargs.durability) options.durability = run.kwargs.durability;
    try {
      await pumpGraph(graph, input, options, modes.includes('events'), run.run_id, translator);
    } catch (error) {
      await saver.seal();
      const reason = stopReasonOf(signal);
      if (reason === 'rollback') return this.#rollback(run, mark);
      throw error;
    }
    await saver.seal();
    // A rollback that arrived as the graph was finishing still erases the run.
    if (stopReasonOf(signal) === 'rollback') return this.#rollback(run, mark);
    const state = toThreadState(await graph.getState({ configurable: { thread_id: run.thread_id } }));
    // Waiting with no interrupt() pending: stopped at a breakpoint.
    if (state.next.length > 0 && state.interrupts.length === 0) translator.stoppedAtBreakpoint();
    return this.#finish(run, state.next.length > 0 ? 'interrupted' : 'success', state, null);
  }

  async #handleFailure(run: Run, signal: AbortSignal, error: unknown): Promise<RunOutcome> {
    const reason = stopReasonOf(signal);
    const { log, broker } = this.#o;
    // Another process has the run now: write nothing.
    if (reason === 'lost') return blankOutcome(run, 'running');
    if (reason === 'shutdown') {
      // Back to the queue: the next start runs it again from its last checkpoint.
      await this.#o.storage.runs.put({ ...run, status: 'pending', updated_at: this.#now().toISOString() }).catch(() => undefined);
      return blankOutcome(run, 'pending');
    }
    // Stopped before the graph wrote anything (a stop during the graph is handled in #stream).
    if (reason === 'rollback') return this.#rollback(run, null);
    if (reason === 'interrupt') return this.#finish(run, 'interrupted', await this.#stateOf(run), null, 'stopped: a newer message or a cancel interrupted it');
    if (reason === 'timeout') {
      const message = `the run exceeded its time limit of ${run.kwargs.timeout_seconds ?? this.#o.timeoutSeconds} s`;
      broker.publish(run.run_id, 'error', { error: 'TimeoutError', message });
      return this.#finish(run, 'timeout', await this.#stateOf(run), { error: 'TimeoutError', message });
    }
    const failure = describeError(error);
    log.error({ err: error, runId: run.run_id, threadId: run.thread_id }, 'run failed');
    broker.publish(run.run_id, 'error', failure);
    return this.#finish(run, 'error', await this.#stateOf(run), failure);
  }

  async #fail(run: Run, message: string): Promise<RunOutcome> {
    const failure = { error: 'RunAbandoned', message };
    this.#o.broker.publish(run.run_id, 'error', failure);
    return this.#finish(run, 'error', await this.#stateOf(run), failure);
  }

  async #stateOf(run: Run): Promise<ThreadState | null> {
    try {
      const graph: RunnableGraph = await this.#o.graphs.get(String(run.kwargs.config?.configurable?.graph_id ?? ''), run.kwargs.config ?? {});
      return toThreadState(await graph.getState({ configurable: { thread_id: run.thread_id } }));
    } catch {
      return null;
    }
  }

  async #finish(run: Run, status: RunStatus, state: ThreadState | null, failure: RunOutcome['error'], note?: string): Promise<RunOutcome> {
    // LangSmith has the whole run before its final status is stored, streamed or answered.
    await flushLangSmith().catch((error: unknown) => this.#o.log.warn({ err: error, runId: run.run_id }, 'could not send the run to LangSmith'));
    const ended: Run = { ...run, status, updated_at: this.#now().toISOString(), error: failure?.message ?? note ?? null };
    await this.#o.storage.runs.put(ended);
    const graphId = String(run.kwargs.config?.configurable?.graph_id ?? '');
    runsTotal.inc({ status, graph: graphId });
    runDuration.observe({ graph: graphId }, Math.max(0, (Date.parse(ended.updated_at) - Date.parse(run.updated_at)) / 1000));
    await this.#o.threads.refresh(run.thread_id, {
      error: failure?.message ?? null,
      graphId,
      assistantId: run.assistant_id,
      stopped: status === 'interrupted' && note !== undefined,
      endingRunId: run.run_id,
      ...(state ? { state } : {}),
    });
    const interrupts = state?.interrupts ?? [];
    const values = state ? { ...state.values, ...(interrupts.length > 0 ? { __interrupt__: interrupts } : {}) } : null;
    return { run_id: run.run_id, thread_id: run.thread_id, status, values, interrupts, error: failure, rolled_back: false };
  }

  async #rollback(run: Run, mark: Awaited<ReturnType<Storage['checkpointer']['mark']>> | null): Promise<RunOutcome> {
    const { storage, threads } = this.#o;
    if (mark) await storage.checkpointer.rollback(mark);
    await storage.runs.delete(run.thread_id, run.run_id);
    const thread = await threads.refresh(run.thread_id, { stopped: true, endingRunId: run.run_id });
    return {
      ...blankOutcome(run, 'interrupted'),
      values: thread?.values ?? null,
      rolled_back: true,
    };
  }
}

/** What identifies a run in a trace: the same ids LangSmith gets as metadata. */
function runAttributes(run: Run): Record<string, string | number> {
  return {
    'switchboard.run_id': run.run_id,
    'switchboard.thread_id': run.thread_id,
    'switchboard.assistant_id': run.assistant_id,
    'switchboard.graph_id': String(run.kwargs.config?.configurable?.graph_id ?? ''),
    'switchboard.run.attempt': run.attempt ?? 1,
  };
}

function blankOutcome(run: Run, status: RunStatus): RunOutcome {
  return { run_id: run.run_id, thread_id: run.thread_id, status, values: null, interrupts: [], error: null, rolled_back: false };
}

/** The graph input: the run's input, or its command (resume / update / goto) as a LangGraph Command. */
function runInput(run: Run): unknown {
  return run.kwargs.command ? toCommand(run.kwargs.command) : (run.kwargs.input ?? null);
}

/**
 * Runs the graph and feeds every chunk to the translator. The `events` mode needs
 * LangChain's callback events, which only `streamEvents` gives; otherwise the lighter
 * `stream` is used.
 */
async function pumpGraph(graph: RunnableGraph, input: unknown, options: Record<string, unknown>, withEvents: boolean, runId: string, translator: StreamTranslator): Promise<void> {
  const subgraphs = options.subgraphs === true;
  const feed = (chunk: unknown) => {
    const parts = chunk as unknown[];
    if (subgraphs) translator.chunk((parts[0] as string[]) ?? [], parts[1] as string, parts[2]);
    else translator.chunk([], parts[0] as string, parts[1]);
  };
  if (!withEvents) {
    for await (const chunk of await graph.stream(input, options)) feed(chunk);
    return;
  }
  for await (const event of graph.streamEvents(input, { ...options, version: 'v2' })) {
    const data = event.data as { chunk?: unknown } | undefined;
    if (event.event === 'on_chain_stream' && event.run_id === runId && Array.isArray(data?.chunk)) feed(data.chunk);
    else translator.event(event);
  }
}

function describeError(error: unknown): { error: string; message: string } {
  if (error instanceof Error) return { error: error.name || 'Error', message: error.message };
  return { error: 'Error', message: typeof error === 'string' ? error : JSON.stringify(error) };
}
