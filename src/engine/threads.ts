import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { conflict, invalidInput, notFound } from '../errors.ts';
import type { Metadata, RunCommandRecord, Storage, Thread, ThreadQuery, ThreadStatus } from '../storage/types.ts';
import { toCommand } from './command.ts';
import type { GraphRegistry, RunnableGraph } from './graphs.ts';
import { EMPTY_STATE, interruptsByTask, toThreadState, type ThreadState } from './state.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ThreadCreate {
  thread_id?: string;
  metadata?: Metadata;
  if_exists?: 'raise' | 'do_nothing';
  /** State to write at creation, step by step (needs `metadata.graph_id`). */
  supersteps?: Array<{ updates: Array<{ values?: unknown; command?: unknown; as_node: string }> }>;
}

export interface CheckpointSelector {
  checkpoint_id?: string;
  checkpoint_ns?: string;
  checkpoint_map?: Record<string, unknown>;
}

export interface StateUpdate {
  values?: unknown;
  as_node?: string;
  checkpoint_id?: string;
  checkpoint?: CheckpointSelector;
}

export interface HistoryQuery {
  limit?: number;
  before?: string | { configurable?: { checkpoint_id?: string } };
  metadata?: Metadata;
  checkpoint?: CheckpointSelector;
}

/** Threads: persisted conversations. Their state and history come from the checkpointer. */
export class ThreadService {
  readonly #storage: Storage;
  readonly #graphs: GraphRegistry;
  readonly #hasActiveRuns: (threadId: string, exceptRunId?: string) => boolean;
  readonly #stopRuns: (threadId: string) => Promise<void>;
  readonly #now: () => Date;

  constructor(options: {
    storage: Storage;
    graphs: GraphRegistry;
    hasActiveRuns: (threadId: string, exceptRunId?: string) => boolean;
    /** Stops a thread's runs before it is deleted. */
    stopRuns?: (threadId: string) => Promise<void>;
    now?: () => Date;
  }) {
    this.#stopRuns = options.stopRuns ?? (async () => undefined);
    this.#storage = options.storage;
    this.#graphs = options.graphs;
    this.#hasActiveRuns = options.hasActiveRuns;
    this.#now = options.now ?? (() => new Date());
  }

  async create(input: ThreadCreate = {}): Promise<Thread> {
    const threadId = input.thread_id ?? crypto.randomUUID();
    if (!UUID.test(threadId)) throw invalidInput(`thread_id must be a UUID, got "${threadId}"`, { field: 'thread_id' });
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
    };
    if (input.supersteps && input.supersteps.length > 0) {
      const graph = await this.graphOf(thread);
      if (!graph) throw invalidInput('supersteps need metadata.graph_id naming a known graph', { field: 'supersteps' });
      await this.#storage.threads.create(thread);
      await graph.bulkUpdateState(
        this.#config(threadId),
        input.supersteps.map((step) => ({
          updates: step.updates.map((update) => ({ values: update.command ? toCommand(update.command as RunCommandRecord) : update.values, asNode: update.as_node })),
        })),
      );
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
    if (!thread || thread.status !== 'busy' || this.#hasActiveRuns(thread.thread_id)) return thread;
    return (await this.refresh(thread.thread_id)) ?? thread;
  }

  async update(threadId: string, patch: { metadata?: Metadata }): Promise<Thread> {
    const thread = await this.get(threadId);
    if (patch.metadata) thread.metadata = { ...thread.metadata, ...patch.metadata };
    thread.updated_at = this.#now().toISOString();
    await this.#storage.threads.put(thread);
    return thread;
  }

  /** Stops the thread's runs, then removes it with its runs and checkpoints. */
  async delete(threadId: string): Promise<void> {
    await this.get(threadId);
    await this.#stopRuns(threadId);
    await this.purge(threadId);
  }

  /** Removes a thread's records without stopping anything (its runs are over). */
  async purge(threadId: string): Promise<void> {
    await this.#storage.runs.deleteByThread(threadId);
    await this.#storage.checkpointer.deleteThread(threadId);
    await this.#storage.threads.delete(threadId);
  }

  async search(query: Partial<ThreadQuery> = {}): Promise<{ items: Thread[]; total: number }> {
    const found = await this.#storage.threads.search({ limit: 10, offset: 0, ...query });
    const items = await Promise.all(found.items.map(async (thread) => (await this.#healed(thread)) ?? thread));
    return { items, total: found.total };
  }

  async count(query: Pick<ThreadQuery, 'metadata' | 'values' | 'status'> = {}): Promise<number> {
    return (await this.#storage.threads.search({ ...query, limit: 0, offset: 0 })).total;
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

  /** The graph that owns a thread's state: the graph of its last run (or the one it was created for). */
  async graphOf(thread: Thread): Promise<RunnableGraph | null> {
    const graphId = thread.metadata.graph_id;
    if (typeof graphId !== 'string' || !this.#graphs.has(graphId)) return null;
    return this.#graphs.get(graphId, { configurable: { thread_id: thread.thread_id } });
  }

  async getState(threadId: string, options: { checkpoint?: CheckpointSelector; subgraphs?: boolean } = {}): Promise<ThreadState> {
    const thread = await this.get(threadId);
    const graph = await this.graphOf(thread);
    if (!graph) return EMPTY_STATE();
    const snapshot = await graph.getState(this.#config(threadId, options.checkpoint), { subgraphs: options.subgraphs ?? false });
    return toThreadState(snapshot);
  }

  async updateState(threadId: string, update: StateUpdate): Promise<{ checkpoint: Record<string, unknown> }> {
    const thread = await this.get(threadId);
    if (this.#hasActiveRuns(threadId)) throw conflict(`thread ${threadId} is busy: a run is pending or running`, { thread_id: threadId });
    const graph = await this.graphOf(thread);
    if (!graph) throw invalidInput(`thread ${threadId} has no graph yet: run it once, or create it with metadata.graph_id`);
    const selector = { ...(update.checkpoint ?? {}), ...(update.checkpoint_id ? { checkpoint_id: update.checkpoint_id } : {}) };
    const next = await graph.updateState(this.#config(threadId, selector), update.values ?? null, update.as_node);
    await this.refresh(threadId);
    return { checkpoint: { ...(next.configurable ?? {}) } };
  }

  /** Merges metadata into the metadata of the thread's latest checkpoint (or the one named). */
  async patchStateMetadata(threadId: string, metadata: Metadata, selector: CheckpointSelector = {}): Promise<void> {
    const state = await this.getState(threadId, { checkpoint: selector });
    if (!state.checkpoint?.checkpoint_id) throw notFound('checkpoint of thread', threadId);
    await this.#storage.checkpointer.patchMetadata(threadId, state.checkpoint.checkpoint_ns, state.checkpoint.checkpoint_id, metadata);
  }

  async history(threadId: string, query: HistoryQuery = {}): Promise<ThreadState[]> {
    const thread = await this.get(threadId);
    const graph = await this.graphOf(thread);
    if (!graph) return [];
    const beforeId = typeof query.before === 'string' ? query.before : query.before?.configurable?.checkpoint_id;
    const options: Record<string, unknown> = { limit: query.limit ?? 10 };
    if (beforeId) options.before = { configurable: { checkpoint_id: beforeId } };
    if (query.metadata) options.filter = query.metadata;
    const out: ThreadState[] = [];
    for await (const snapshot of graph.getStateHistory(this.#config(threadId, query.checkpoint), options)) out.push(toThreadState(snapshot));
    return out;
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
    const thread = await this.#storage.threads.get(threadId);
    if (!thread) return null;
    if (options.graphId) thread.metadata = { ...thread.metadata, graph_id: options.graphId, ...(options.assistantId ? { assistant_id: options.assistantId } : {}) };
    const graph = options.state ? null : await this.graphOf(thread);
    const state = options.state ?? (graph ? toThreadState(await graph.getState(this.#config(threadId))) : EMPTY_STATE());
    const waitsForHuman = options.stopped ? state.interrupts.length > 0 : state.next.length > 0;
    let status: ThreadStatus = 'idle';
    if (options.error) status = 'error';
    else if (waitsForHuman) status = 'interrupted';
    else if (this.#hasActiveRuns(threadId, options.endingRunId)) status = 'busy';
    thread.status = status;
    if (options.state || graph) {
      thread.values = state.checkpoint ? state.values : null;
      thread.state_updated_at = this.#now().toISOString();
    }
    thread.interrupts = interruptsByTask(state);
    thread.error = options.error ?? null;
    thread.updated_at = this.#now().toISOString();
    await this.#storage.threads.put(thread);
    return thread;
  }

  /**
   * A run was accepted: the thread is busy and belongs to that run's graph and assistant
   * from now on (so its state is readable while the run is in flight).
   */
  async markRunAccepted(threadId: string, graphId: string, assistantId: string): Promise<void> {
    const thread = await this.#storage.threads.get(threadId);
    if (!thread) return;
    if (thread.status === 'busy' && thread.metadata.graph_id === graphId && thread.metadata.assistant_id === assistantId) return;
    thread.status = 'busy';
    thread.metadata = { ...thread.metadata, graph_id: graphId, assistant_id: assistantId };
    thread.updated_at = this.#now().toISOString();
    await this.#storage.threads.put(thread);
  }

  async setStatus(threadId: string, status: ThreadStatus): Promise<void> {
    const thread = await this.#storage.threads.get(threadId);
    if (!thread || thread.status === status) return;
    thread.status = status;
    thread.updated_at = this.#now().toISOString();
    await this.#storage.threads.put(thread);
  }

  #config(threadId: string, selector: CheckpointSelector = {}): LangGraphRunnableConfig {
    return { configurable: { thread_id: threadId, checkpoint_ns: '', ...selector } };
  }
}
