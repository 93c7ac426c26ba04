import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { BaseCheckpointSaver, BaseStore } from '@langchain/langgraph';
import { importModule } from '../util/import-module.ts';
import { ConfigError, type ConfigProblem, type GraphEntry } from '../config/load.ts';
import { notFound } from '../errors.ts';

/**
 * What the engine runs: a compiled LangGraph graph. Only the members the engine uses
 * are named, so graphs from any @langchain/langgraph 1.x build fit.
 */
export interface RunnableGraph {
  checkpointer?: BaseCheckpointSaver | boolean | undefined;
  store?: BaseStore | undefined;
  stream(input: unknown, options?: Record<string, unknown>): Promise<AsyncIterable<unknown>>;
  streamEvents(input: unknown, options: Record<string, unknown>): AsyncIterable<Record<string, unknown>>;
  getState(config: LangGraphRunnableConfig, options?: { subgraphs?: boolean }): Promise<StateSnapshotLike>;
  getStateHistory(config: LangGraphRunnableConfig, options?: Record<string, unknown>): AsyncIterable<StateSnapshotLike>;
  updateState(config: LangGraphRunnableConfig, values: unknown, asNode?: string): Promise<LangGraphRunnableConfig>;
  bulkUpdateState(config: LangGraphRunnableConfig, supersteps: Array<{ updates: Array<{ values?: unknown; asNode?: string }> }>): Promise<LangGraphRunnableConfig>;
  getGraphAsync?(config?: LangGraphRunnableConfig & { xray?: boolean | number }): Promise<{ toJSON(): unknown }>;
  getSubgraphsAsync?(namespace?: string, recurse?: boolean): AsyncIterable<[string, unknown]>;
  builder?: unknown;
}

export interface StateSnapshotLike {
  values: unknown;
  next: string[];
  config: LangGraphRunnableConfig;
  metadata?: Record<string, unknown> | undefined;
  createdAt?: string | undefined;
  parentConfig?: LangGraphRunnableConfig | undefined;
  tasks: Array<{
    id: string;
    name: string;
    path?: unknown[];
    error?: unknown;
    interrupts: Array<{ id?: string; value?: unknown }>;
    state?: LangGraphRunnableConfig | StateSnapshotLike;
    result?: unknown;
  }>;
}

type Factory = (config: LangGraphRunnableConfig) => unknown;

interface LoadedGraph {
  entry: GraphEntry;
  /** A compiled graph, or a factory that builds one per run from the run's config. */
  graph: RunnableGraph | Factory;
}

/**
 * The graphs declared in the config, imported once at start-up. Each graph is given the
 * storage's checkpointer and store: a compiled graph's own checkpointer is replaced, as
 * on the LangGraph Platform, so every run persists where Switchboard keeps threads.
 */
export class GraphRegistry {
  readonly #graphs = new Map<string, LoadedGraph>();
  #checkpointer: BaseCheckpointSaver | undefined;
  #store: BaseStore | undefined;

  private constructor() {}

  /**
   * Imports every graph; a graph that cannot be loaded is reported with the others at
   * once. Done before storage opens, so a broken graph starts nothing.
   */
  static async load(entries: Readonly<Record<string, GraphEntry>>, options: { configFile: string }): Promise<GraphRegistry> {
    const registry = new GraphRegistry();
    const problems: ConfigProblem[] = [];
    for (const entry of Object.values(entries)) {
      try {
        registry.#graphs.set(entry.graphId, { entry, graph: await importGraph(entry) });
      } catch (error) {
        problems.push({ file: options.configFile, key: `graphs.${entry.graphId}`, message: (error as Error).message });
      }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return registry;
  }

  /** For tests and embedding: register graph objects directly. */
  static fromGraphs(graphs: Record<string, unknown>, options: { checkpointer: BaseCheckpointSaver; store: BaseStore }): GraphRegistry {
    const registry = new GraphRegistry().attach(options);
    for (const [graphId, value] of Object.entries(graphs)) {
      const entry: GraphEntry = { graphId, file: '<inline>', exportName: graphId, spec: `<inline>:${graphId}` };
      registry.#graphs.set(graphId, { entry, graph: asGraphOrFactory(value, graphId) });
    }
    return registry;
  }

  /** Gives every graph the storage's checkpointer and store. */
  attach(storage: { checkpointer: BaseCheckpointSaver; store: BaseStore }): this {
    this.#checkpointer = storage.checkpointer;
    this.#store = storage.store;
    return this;
  }

  ids(): string[] {
    return [...this.#graphs.keys()];
  }

  has(graphId: string): boolean {
    return this.#graphs.has(graphId);
  }

  /** Whether the graph is a factory, built per run from the run's config. */
  isFactory(graphId: string): boolean {
    return typeof this.#graphs.get(graphId)?.graph === 'function';
  }

  entry(graphId: string): GraphEntry {
    const loaded = this.#graphs.get(graphId);
    if (!loaded) throw notFound('graph', graphId);
    return loaded.entry;
  }

  /** The graph to run for one run; a factory is called with the run's config. */
  async get(graphId: string, config: LangGraphRunnableConfig = {}): Promise<RunnableGraph> {
    const loaded = this.#graphs.get(graphId);
    if (!loaded) throw notFound('graph', graphId);
    const graph = typeof loaded.graph === 'function' ? compiledFrom(await loaded.graph(config), graphId) : loaded.graph;
    if (!this.#checkpointer) throw new Error('GraphRegistry.attach() must be called before graphs run');
    graph.checkpointer = this.#checkpointer;
    graph.store = this.#store;
    return graph;
  }
}

async function importGraph(entry: GraphEntry): Promise<RunnableGraph | Factory> {
  const module = await importModule(entry.file);
  if (!(entry.exportName in module)) {
    const exported = Object.keys(module).filter((name) => name !== '__esModule');
    throw new Error(`${entry.file} has no export "${entry.exportName}" (it exports: ${exported.join(', ') || 'nothing'})`);
  }
  return asGraphOrFactory(await module[entry.exportName], entry.graphId);
}

function asGraphOrFactory(value: unknown, graphId: string): RunnableGraph | Factory {
  if (typeof value === 'function' && !isCompiled(value)) return value as Factory;
  return compiledFrom(value, graphId);
}

/** Accepts a compiled graph, a StateGraph builder (compiled here), or an agent that wraps one. */
function compiledFrom(value: unknown, graphId: string): RunnableGraph {
  if (value !== null && typeof value === 'object') {
    const candidate = value as Record<string, unknown>;
    if (isCompiled(candidate)) return candidate as unknown as RunnableGraph;
    if (typeof candidate.compile === 'function') return (candidate.compile as () => RunnableGraph)();
    // createAgent-style wrappers expose the compiled graph as `.graph`.
    if (candidate.graph && isCompiled(candidate.graph)) return candidate.graph as unknown as RunnableGraph;
  }
  throw new Error(`graph "${graphId}" is not a LangGraph graph (expected a compiled graph, a StateGraph or a factory)`);
}

function isCompiled(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.stream === 'function' && typeof candidate.getState === 'function';
}
