import { uuid5 } from '@langchain/langgraph-checkpoint';
import type { AssistantSpec } from '../config/schema.ts';
import { conflict, invalidInput, notFound } from '../errors.ts';
import type { Assistant, AssistantVersion, Storage } from '../storage/types.ts';
import { jsonContains } from '../storage/query.ts';
import type { GraphRegistry } from './graphs.ts';
import {
  assistantCountSchema,
  assistantCreateSchema,
  assistantPatchSchema,
  assistantSearchSchema,
  assistantVersionsSchema,
  type AssistantCount,
  type AssistantCreate,
  type AssistantPatch,
  type AssistantSearch,
  type AssistantVersionsQuery,
} from './requests/assistants.ts';
import { definedFields } from './requests/fields.ts';
import { parseRequest } from './requests/parse.ts';

/** The LangGraph Platform derives a graph's default assistant id with uuid5 in the URL namespace. */
export const GRAPH_NAMESPACE = '6ba7b821-9dad-11d1-80b4-00c04fd430c8';

export const defaultAssistantId = (graphId: string) => uuid5(graphId, GRAPH_NAMESPACE);

/** Config assistants get ids from their names, so a restart finds the same assistant. */
export const configAssistantId = (name: string) => uuid5(`switchboard:assistant:${name}`, GRAPH_NAMESPACE);

/** Assistants: configured, versioned instances of a graph. Every change is a new version. */
export class AssistantService {
  readonly #storage: Storage;
  readonly #graphs: GraphRegistry;
  readonly #now: () => Date;

  constructor(storage: Storage, graphs: GraphRegistry, now: () => Date = () => new Date()) {
    this.#storage = storage;
    this.#graphs = graphs;
    this.#now = now;
  }

  /** A graph id names its default assistant wherever an assistant id is expected. */
  resolveId(idOrGraph: string): string {
    return this.#graphs.has(idOrGraph) ? defaultAssistantId(idOrGraph) : idOrGraph;
  }

  async get(idOrGraph: string): Promise<Assistant> {
    const assistant = await this.#storage.assistants.get(this.resolveId(idOrGraph));
    if (!assistant) throw notFound('assistant', idOrGraph);
    return assistant;
  }

  async find(idOrGraph: string): Promise<Assistant | null> {
    return this.#storage.assistants.get(this.resolveId(idOrGraph));
  }

  /** Finds an assistant by id, graph id or (case-insensitive) name. */
  async findByIdOrName(reference: string): Promise<Assistant | null> {
    const byId = await this.find(reference);
    if (byId) return byId;
    const { items } = await this.#storage.assistants.search({ limit: 1000, offset: 0 });
    return items.find((assistant) => assistant.name.toLowerCase() === reference.toLowerCase()) ?? null;
  }

  async create(request: AssistantCreate): Promise<Assistant> {
    const input = parseRequest(assistantCreateSchema, request);
    this.#checkGraph(input.graph_id);
    const assistantId = input.assistant_id ?? crypto.randomUUID();
    const existing = await this.#storage.assistants.get(assistantId);
    if (existing) {
      if (input.if_exists === 'do_nothing') return existing;
      throw conflict(`assistant ${assistantId} already exists`, { assistant_id: assistantId });
    }
    const now = this.#now().toISOString();
    const assistant: Assistant = {
      assistant_id: assistantId,
      graph_id: input.graph_id,
      name: input.name ?? 'Untitled',
      description: input.description ?? null,
      config: input.config ? definedFields(input.config) : {},
      context: input.context ?? {},
      metadata: input.metadata ?? {},
      version: 1,
      created_at: now,
      updated_at: now,
    };
    await this.#storage.assistants.create(assistant);
    return assistant;
  }

  /** Patches the named fields; `metadata` is merged into the current metadata unless `replaceMetadata`. */
  async update(idOrGraph: string, request: AssistantPatch, options: { replaceMetadata?: boolean } = {}): Promise<Assistant> {
    const patch = parseRequest(assistantPatchSchema, request);
    const current = await this.get(idOrGraph);
    if (patch.graph_id !== undefined) this.#checkGraph(patch.graph_id);
    const versions = await this.#storage.assistants.versions(current.assistant_id);
    const version: AssistantVersion = {
      assistant_id: current.assistant_id,
      version: Math.max(current.version, ...versions.map((candidate) => candidate.version)) + 1,
      graph_id: patch.graph_id ?? current.graph_id,
      name: patch.name ?? current.name,
      description: patch.description === undefined ? current.description : patch.description,
      config: patch.config ? definedFields(patch.config) : current.config,
      context: patch.context ?? current.context,
      metadata: patch.metadata ? (options.replaceMetadata ? patch.metadata : { ...current.metadata, ...patch.metadata }) : current.metadata,
      created_at: this.#now().toISOString(),
    };
    return this.#storage.assistants.addVersion(version, true);
  }

  async delete(idOrGraph: string): Promise<string> {
    const assistant = await this.get(idOrGraph);
    await this.#storage.assistants.delete(assistant.assistant_id);
    return assistant.assistant_id;
  }

  async search(request: AssistantSearch = {}): Promise<{ items: Assistant[]; total: number }> {
    return this.#storage.assistants.search(parseRequest(assistantSearchSchema, request));
  }

  async count(request: AssistantCount = {}): Promise<number> {
    return (await this.#storage.assistants.search({ ...parseRequest(assistantCountSchema, request), limit: 0, offset: 0 })).total;
  }

  async versions(idOrGraph: string, request: AssistantVersionsQuery = {}): Promise<AssistantVersion[]> {
    const options = parseRequest(assistantVersionsSchema, request);
    const assistant = await this.get(idOrGraph);
    const all = (await this.#storage.assistants.versions(assistant.assistant_id))
      .filter((version) => options.metadata === undefined || jsonContains(version.metadata, options.metadata))
      .sort((a, b) => b.version - a.version);
    return all.slice(options.offset, options.offset + options.limit);
  }

  async setLatest(idOrGraph: string, version: number): Promise<Assistant> {
    const assistant = await this.get(idOrGraph);
    return this.#storage.assistants.setLatest(assistant.assistant_id, version);
  }

  /**
   * Start-up: each graph gets its default assistant (kept as users changed it), and each
   * assistant of the config exists with the config's settings; a changed setting becomes
   * a new version, so history is kept and runs in flight keep theirs.
   */
  async syncFromConfig(specs: readonly AssistantSpec[]): Promise<void> {
    for (const graphId of this.#graphs.ids()) {
      const defaults = this.#graphs.entry(graphId).defaults;
      await this.create({
        assistant_id: defaultAssistantId(graphId),
        graph_id: graphId,
        name: graphId,
        metadata: { created_by: 'system' },
        if_exists: 'do_nothing',
        ...(defaults ? { config: defaults.config, ...(defaults.context ? { context: defaults.context } : {}) } : {}),
      });
    }
    for (const spec of specs) {
      const wanted = {
        graph_id: spec.graph,
        name: spec.name,
        description: spec.description ?? null,
        config: definedFields(spec.config ?? {}),
        context: spec.context ?? {},
        metadata: { ...(spec.metadata ?? {}), created_by: 'config', ...(spec.multitask_strategy ? { multitask_strategy: spec.multitask_strategy } : {}) },
      };
      const assistantId = spec.assistant_id ?? configAssistantId(spec.name);
      const existing = await this.#storage.assistants.get(assistantId);
      if (!existing) await this.create({ assistant_id: assistantId, ...wanted });
      else if (differs(existing, wanted)) await this.update(assistantId, wanted, { replaceMetadata: true });
    }
  }

  #checkGraph(graphId: string) {
    if (!this.#graphs.has(graphId)) {
      throw invalidInput(`unknown graph "${graphId}"; available graphs: ${this.#graphs.ids().join(', ')}`, { field: 'graph_id' });
    }
  }
}

function differs(existing: Assistant, wanted: Omit<AssistantVersion, 'assistant_id' | 'version' | 'created_at'>): boolean {
  return (
    existing.graph_id !== wanted.graph_id ||
    existing.name !== wanted.name ||
    existing.description !== wanted.description ||
    JSON.stringify(existing.config) !== JSON.stringify(wanted.config) ||
    JSON.stringify(existing.context) !== JSON.stringify(wanted.context) ||
    JSON.stringify(existing.metadata) !== JSON.stringify(wanted.metadata)
  );
}
