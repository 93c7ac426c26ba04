import { ttlOf } from './thread-ttl.ts';
import { BaseLangGraphError, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { conflict, invalidInput, notFound } from '../errors.ts';
import type { Metadata, Storage, Thread, ThreadStatus, TtlStrategy } from '../storage/types.ts';
import { toCommand } from './command.ts';
import type { GraphRegistry, RunnableGraph } from './graphs.ts';
import type { CheckpointSelector } from './requests/fields.ts';
import { parseRequest } from './requests/parse.ts';
import {
  historySchema,
  stateUpdateSchema,
  threadCountSchema,
  threadCreateSchema,
  threadPatchSchema,
  threadSearchSchema,
  type HistoryQuery,
  type StateUpdate,
  type ThreadCount,
  type ThreadCreate,
  type ThreadPatch,
  type ThreadSearch,
} from './requests/threads.ts';
import type { RunScheduler } from './scheduler.ts';
import { EMPTY_STATE, interruptsByTask, toThreadState, type ThreadState } from './state.ts';
import { withStepWrites } from './history-writes.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Threads: persisted conversations. Their state and history come from the checkpointer. */
export class ThreadService {
  readonly #storage: Storage;
  readonly #graphs: GraphRegistry;
  readonly #scheduler: RunScheduler;
  readonly #stopRuns: (threadId: string) => Promise<void>;
  readonly #now: () => Date;
  readonly #ttlStrategy: TtlStrategy;

  constructor(options: {
    storage: Storage;
    graphs: GraphRegistry;
    /** Knows which runs are in flight, and updates thread records atomically with admissions. */
    scheduler: RunScheduler;
    /** Stops a thread's runs before it is deleted. */
    stopRuns?: (threadId: string) => Promise<void>;
    /** What a TTL given without a strategy does when it runs out (`checkpointer.ttl.strategy`). */
    ttlStrategy?: TtlStrategy | undefined;
    now?: () => Date;
  }) {
    this.#ttlStrategy = options.ttlStrategy ?? 'delete';
    this.#stopRuns = options.stopRuns ?? (async () => undefined);
    this.#storage = options.storage;
    this.#graphs = options.graphs;
    this.#scheduler = options.scheduler;
    this.#now = options.now ?? (() => new Date());
  }

  async create(request: ThreadCreate = {}): Promise<Thread> {
    const input = parseRequest(threadCreateSchema, request);
    const threadId = input.thread_id ?? crypto.randomUUID();
    const existing = await this.#storage.threads.get(threadId);
    if (existing) {
      if (input.if_exists === 'do_nothing') return existing;
      throw conflict(`thread ${threadId} already exists`, { thread_id: threadId });
    }
    const now = this.#now().toISOString();
    const thread: Thread = {
      thread_id: threadId,
      created_at: now,
      updated_at: now,
      metadata: input.metadata ?? {},
      status: 'idle',
      values: null,
      interrupts: {},
      state_updated_at: now,
      ...(input.ttl ? { ttl: ttlOf(input.ttl, this.#ttlStrategy) } : {}),
    };
    if (input.supersteps && input.supersteps.length > 0) {
      const graph = await this.graphOf(thread);
      if (!graph) throw invalidInput('supersteps need metadata.graph_id naming a known graph', { field: 'supersteps' });
      checkSupersteps(graph, input.supersteps);
      await this.#storage.threads.create(thread);
      try {
        await graph.bulkUpdateState(
          this.#config(threadId),
          input.supersteps.map((step) => ({
            updates: step.updates.map((update) => ({ values: update.command ? toCommand(update.command) : update.values, asNode: update.as_node })),
          })),
        );
      } catch (error) {
        // Nothing of a thread whose state could not be written is kept; values the graph refused are the caller's mistake.
        await this.purge(threadId).catch(() => undefined);
        throw refusedByGraph(error) ? invalidInput(`the graph refused these supersteps: ${(error as Error).message}`, { field: 'supersteps' }) : error;
      }
      return (await this.refresh(threadId)) ?? thread;
    }
    await this.#storage.threads.create(thread);
    return thread;
  }

  async get(threadId: string): Promise<Thread> {
    const thread = await this.find(threadId);
    if (!thread) throw notFound('thread', threadId);
    return thread;
  }

  async find(threadId: string): Promise<Thread | null> {
    if (!UUID.test(threadId)) return null;
    return this.#healed(await this.#storage.threads.get(threadId));
  }

  /**
   * A thread marked busy with no run in the queue was left so by a crash between a run's
   * end and the thread's update; it is put right when it is next read.
   */
  async #healed(thread: Thread | null): Promise<Thread | null> {
    if (thread?.status !== 'busy' || (await this.#hasActiveRuns(thread.thread_id))) return thread;
    return (await this.refresh(thread.thread_id)) ?? thread;
  }

  async #hasActiveRuns(threadId: string): Promise<boolean> {
    return (await this.#scheduler.inflight(threadId)).length > 0;
  }

  async update(threadId: string, request: ThreadPatch): Promise<Thread> {
    const patch = parseRequest(threadPatchSchema, request);
    await this.get(threadId);
    const updated = await this.#scheduler.updateThread(threadId, (thread) => ({
      ...thread,
      metadata: patch.metadata ? { ...thread.metadata, ...patch.metadata } : thread.metadata,
      ...(patch.ttl !== undefined ? { ttl: patch.ttl === null ? null : ttlOf(patch.ttl, this.#ttlStrategy) } : {}),
      updated_at: this.#now().toISOString(),
    }));
    if (!updated) throw notFound('thread', threadId);
    return updated;
  }

  /** Stops the thread's runs, then removes it with its runs and checkpoints. */
  async delete(threadId: string): Promise<void> {
    await this.get(threadId);
    await this.#stopRuns(threadId);
    await this.purge(threadId);
  }

  /**
   * What the TTL sweep does to an expired thread: deletes it, or (`keep_latest`) keeps only
   * its latest checkpoint, so its state stays readable and its history is gone. Nothing
   * happens while a run is pending or running (returns false).
   */
  async expire(threadId: string, strategy: TtlStrategy): Promise<boolean> {
    if (await this.#hasActiveRuns(threadId)) return false;
    if (strategy === 'delete') {
      await this.purge(threadId);
      return true;
    }
    await this.#storage.checkpointer.pruneThread(threadId);
    // Marked, without counting as an update: nothing is left to prune until the thread changes again.
    await this.#scheduler.updateThread(threadId, (thread) => ({ ...thread, pruned_at: thread.updated_at }));
    return true;
  }

  /** Removes a thread's records without stopping anything (its runs are over). */
  async purge(threadId: string): Promise<void> {
    await this.#storage.runs.deleteByThread(threadId);
    await this.#storage.checkpointer.deleteThread(threadId);
    await this.#storage.threads.delete(threadId);
  }

  async search(request: ThreadSearch = {}): Promise<{ items: Thread[]; total: number }> {
    const found = await this.#storage.threads.search(parseRequest(threadSearchSchema, request));
    const items = await Promise.all(found.items.map(async (thread) => (await this.#healed(thread)) ?? thread));
    return { items, total: found.total };
  }

  async count(request: ThreadCount = {}): Promise<number> {
    return (await this.#storage.threads.search({ ...parseRequest(threadCountSchema, request), limit: 0, offset: 0 })).total;
  }

  async copy(threadId: string): Promise<Thread> {
    const source = await this.get(threadId);
    const now = this.#now().toISOString();
    const copy: Thread = {
      ...source,
      thread_id: crypto.randomUUID(),
      created_at: now,
      updated_at: now,
      status: source.status === 'busy' ? 'idle' : source.status,
      metadata: { ...source.metadata },
    };
    await this.#storage.checkpointer.copyThread(threadId, copy.thread_id);
    await this.#storage.threads.create(copy);
    return copy;
  }

  /**
   * Refuses values the graph's channels cannot take (a "message" that is a number, say),
   * before they are accepted: LangGraph stores a run's input, and a command's update, as
   * pending writes before its reducers see them, so such values would be stored and then
   * fail every later read of the thread's state. Each value is given to a copy of its
   * channel (the channel's own reducer, nothing written): first an empty one, and only if
   * that fails, one holding the thread's current value (removing a message needs it there).
   */
  async checkValues(graphOrId: RunnableGraph | string, threadId: string | null, values: unknown, field: string): Promise<void> {
    if (values === null || typeof values !== 'object' || Array.isArray(values)) return;
    const graph = typeof graphOrId === 'string' ? await this.#graphs.get(graphOrId, { configurable: { thread_id: threadId ?? '' } }) : graphOrId;
    let current: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(values)) {
      const channel = stateChannel(graph, key);
      if (!channel) continue;
      const fromEmpty = refusal(channel, undefined, value);
      if (fromEmpty === null) continue;
      current ??= threadId ? (((await graph.getState(this.#config(threadId)).catch(() => null))?.values as Record<string, unknown> | undefined) ?? {}) : {};
      const problem = current[key] === undefined ? fromEmpty : refusal(channel, current[key], value);
      if (problem !== null) throw invalidInput(`${field}.${key}: the graph cannot take this value: ${problem}`, { field: `${field}.${key}` });
    }
  }

  /** The graph that owns a thread's state: the graph of its last run (or the one it was created for). */
  async graphOf(thread: Thread): Promise<RunnableGraph | null> {
    const graphId = thread.metadata.graph_id;
    if (typeof graphId !== 'string' || !this.#graphs.has(graphId)) return null;
    if (!this.#graphs.isFactory(graphId)) return this.#graphs.get(graphId, { configurable: { thread_id: thread.thread_id } });
    // A factory builds the graph from a config, as on the Platform: the one of the assistant that last ran on the thread.
    const assistantId = thread.metadata.assistant_id;
    const assistant = typeof assistantId === 'string' ? await this.#storage.assistants.get(assistantId).catch(() => null) : null;
    const config = assistant?.config ?? {};
    return this.#graphs.get(graphId, {
      ...config,
      configurable: { ...config.configurable, thread_id: thread.thread_id, ...(assistant ? { assistant_id: assistant.assistant_id } : {}) },
      ...(assistant?.context ? { context: assistant.context } : {}),
    } as LangGraphRunnableConfig);
  }

  async getState(threadId: string, options: { checkpoint?: CheckpointSelector; subgraphs?: boolean } = {}): Promise<ThreadState> {
    const thread = await this.get(threadId);
    const graph = await this.graphOf(thread);
    if (!graph) return EMPTY_STATE();
    const snapshot = await graph.getState(this.#config(threadId, options.checkpoint), { subgraphs: options.subgraphs ?? false });
    return toThreadState(snapshot);
  }

  async updateState(threadId: string, request: StateUpdate): Promise<{ checkpoint: Record<string, unknown> }> {
    const update = parseRequest(stateUpdateSchema, request);
    const thread = await this.get(threadId);
    if (await this.#hasActiveRuns(threadId)) throw conflict(`thread ${threadId} is busy: a run is pending or running`, { thread_id: threadId });
    const graph = await this.graphOf(thread);
    if (!graph) throw invalidInput(`thread ${threadId} has no graph yet: run it once, or create it with metadata.graph_id`);
    const selector = { ...(update.checkpoint ?? {}), ...(update.checkpoint_id ? { checkpoint_id: update.checkpoint_id } : {}) };
    for (const values of Array.isArray(update.values) ? update.values : [update.values]) await this.checkValues(graph, threadId, values, 'values');
    const next = await graph.updateState(this.#config(threadId, selector), update.values ?? null, update.as_node).catch((error: unknown) => {
      // The graph refused the update (an unknown node, a value its channels cannot take): the caller's mistake.
      throw refusedByGraph(error) ? invalidInput(`the graph refused this update: ${(error as Error).message}`, { field: 'values' }) : error;
    });
    await this.refresh(threadId);
    return { checkpoint: { ...(next.configurable ?? {}) } };
  }

  /** Merges metadata into the metadata of the thread's latest checkpoint (or the one named). */
  async patchStateMetadata(threadId: string, metadata: Metadata, selector: CheckpointSelector = {}): Promise<void> {
    const state = await this.getState(threadId, { checkpoint: selector });
    if (!state.checkpoint?.checkpoint_id) throw notFound('checkpoint of thread', threadId);
    await this.#storage.checkpointer.patchMetadata(threadId, state.checkpoint.checkpoint_ns, state.checkpoint.checkpoint_id, metadata);
  }

  async history(threadId: string, request: HistoryQuery = {}): Promise<ThreadState[]> {
    const query = parseRequest(historySchema, request);
    const thread = await this.get(threadId);
    const graph = await this.graphOf(thread);
    if (!graph) return [];
    const beforeId = typeof query.before === 'string' ? query.before : query.before?.configurable?.checkpoint_id;
    const options: Record<string, unknown> = { limit: query.limit };
    if (beforeId) options.before = { configurable: { checkpoint_id: beforeId } };
    if (query.metadata) options.filter = query.metadata;
    const out: ThreadState[] = [];
    for await (const snapshot of graph.getStateHistory(this.#config(threadId, query.checkpoint), options)) out.push(toThreadState(snapshot));
    return withStepWrites(out);
  }

  /**
   * Recomputes a thread's record after a run or a state update: values, pending
   * interrupts and status. `error` when the run failed; `interrupted` when the graph
   * waits for a human (an interrupt or a breakpoint); `busy` while more runs wait;
   * `idle` otherwise. A run stopped early (`stopped`) leaves unfinished steps behind that
   * are not a question to anyone, so only real interrupts make that thread `interrupted`.
   */
  async refresh(
    threadId: string,
    options: {
      error?: string | null;
      graphId?: string;
      assistantId?: string;
      stopped?: boolean;
      state?: ThreadState;
      /** The run that is ending: it no longer counts as active. */
      endingRunId?: string;
    } = {},
  ): Promise<Thread | null> {
    const graphMetadata = (metadata: Thread['metadata']) =>
      options.graphId ? { ...metadata, graph_id: options.graphId, ...(options.assistantId ? { assistant_id: options.assistantId } : {}) } : metadata;
    // The graph's state is read first (a run that ends brings its own); the record is then changed in one atomic step.
    let graph: RunnableGraph | null = null;
    if (!options.state) {
      const current = await this.#storage.threads.get(threadId);
      if (!current) return null;
      graph = await this.graphOf({ ...current, metadata: graphMetadata(current.metadata) });
    }
    let unreadable: string | null = null;
    const state =
      options.state ??
      (graph
        ? // A state the graph cannot rebuild (a node wrote what its own reducer refuses) marks the thread `error`,
          // rather than failing the refresh, which would leave the run's end unrecorded and its thread busy for ever.
          await graph.getState(this.#config(threadId)).then(toThreadState, (error: unknown) => {
            unreadable = `the thread's state cannot be read: ${(error as Error)?.message ?? String(error)}`;
            return null;
          })
        : EMPTY_STATE());
    if (state === null) {
      return this.#scheduler.updateThread(threadId, (thread) => ({
        ...thread,
        metadata: graphMetadata(thread.metadata),
        status: 'error',
        error: options.error ?? unreadable,
        updated_at: this.#now().toISOString(),
      }));
    }
    const waitsForHuman = options.stopped ? state.interrupts.length > 0 : state.next.length > 0;
    const now = this.#now().toISOString();
    return this.#scheduler.updateThread(threadId, (thread, hasActiveRuns) => {
      let status: ThreadStatus = 'idle';
      if (options.error) status = 'error';
      else if (waitsForHuman) status = 'interrupted';
      else if (hasActiveRuns(options.endingRunId)) status = 'busy';
      const next: Thread = { ...thread, metadata: graphMetadata(thread.metadata), status, interrupts: interruptsByTask(state), error: options.error ?? null, updated_at: now };
      if (options.state || graph) {
        next.values = state.checkpoint ? state.values : null;
        next.state_updated_at = now;
      }
      return next;
    });
  }

  async setStatus(threadId: string, status: ThreadStatus): Promise<void> {
    await this.#scheduler.updateThread(threadId, (thread) => (thread.status === status ? null : { ...thread, status, updated_at: this.#now().toISOString() }));
  }

  #config(threadId: string, selector: CheckpointSelector = {}): LangGraphRunnableConfig {
    return { configurable: { thread_id: threadId, checkpoint_ns: '', ...selector } };
  }
}

/** The part of a LangGraph channel `checkValues` uses. */
interface ChannelLike {
  fromCheckpoint(checkpoint?: unknown): { update(values: unknown[]): boolean };
}

/**
 * Refuses supersteps whose values the graph's channels cannot take, before anything is
 * written: each value goes to a copy of its channel that has taken the earlier steps'
 * values, as LangGraph will apply them (so removing a message an earlier step added is fine).
 */
function checkSupersteps(graph: RunnableGraph, supersteps: ReadonlyArray<{ updates: ReadonlyArray<{ values?: unknown; command?: unknown }> }>): void {
  const held = new Map<string, { update(values: unknown[]): boolean }>();
  for (const [stepIndex, step] of supersteps.entries()) {
    for (const [updateIndex, update] of step.updates.entries()) {
      const values = update.command ? (update.command as { update?: unknown }).update : update.values;
      if (values === null || typeof values !== 'object' || Array.isArray(values)) continue;
      for (const [key, value] of Object.entries(values)) {
        const channel = stateChannel(graph, key);
        if (!channel) continue;
        const live = held.get(key) ?? channel.fromCheckpoint(undefined);
        held.set(key, live);
        try {
          live.update([value]);
        } catch (error) {
          const field = `supersteps[${stepIndex}].updates[${updateIndex}].values.${key}`;
          throw invalidInput(`${field}: the graph cannot take this value: ${firstLine(error)}`, { field });
        }
      }
    }
  }
}

/** The graph's state channel named `key`; none for LangGraph's own channels (__start__, branch:to:x), which no input writes. */
function stateChannel(graph: RunnableGraph, key: string): ChannelLike | undefined {
  const channels = (graph as { channels?: Record<string, unknown> }).channels ?? {};
  const channel = Object.hasOwn(channels, key) && !key.startsWith('__') && !key.includes(':') ? (channels[key] as ChannelLike) : undefined;
  return typeof channel?.fromCheckpoint === 'function' ? channel : undefined;
}

/** The first line of an error's message: what a reducer said, without its stack or hints. */
function firstLine(error: unknown): string {
  return (error as Error)?.message?.split('\n')[0] ?? String(error);
}

/** Why a channel holding `current` refuses `value` (its reducer throws), or null. */
function refusal(channel: ChannelLike, current: unknown, value: unknown): string | null {
  try {
    channel.fromCheckpoint(current).update([value]);
    return null;
  } catch (error) {
    return firstLine(error);
  }
}

/** An error the graph raised about the values it was given (not storage failing): the caller's mistake. */
function refusedByGraph(error: unknown): boolean {
  return error instanceof BaseLangGraphError || (error instanceof Error && 'lc_error_code' in error);
}
