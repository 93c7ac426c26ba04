import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { conflict, notFound } from '../../errors.ts';
import { jsonContains, sortAndPage } from '../query.ts';
import type { Assistant, AssistantQuery, AssistantRepo, AssistantVersion } from '../types.ts';

interface AssistantsFile {
  assistants: Record<string, Assistant>;
  versions: Record<string, AssistantVersion[]>;
}

/**
 * Assistants are few (a handful per graph), so they live in one lowdb file that is read
 * once at start-up and rewritten on each change.
 */
export class LowdbAssistantRepo implements AssistantRepo {
  readonly #db: Low<AssistantsFile>;

  private constructor(db: Low<AssistantsFile>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<LowdbAssistantRepo> {
    const file = new DataFile<AssistantsFile>(join(dir, 'assistants.json'), {
      parse: JSON.parse,
      stringify: (data) => JSON.stringify(data),
    });
    const db = new Low<AssistantsFile>(file, { assistants: {}, versions: {} });
    await db.read();
    return new LowdbAssistantRepo(db);
  }

  async get(assistantId: string): Promise<Assistant | null> {
    return structuredClone(this.#db.data.assistants[assistantId] ?? null);
  }

  async create(assistant: Assistant): Promise<void> {
    const data = this.#db.data;
    if (data.assistants[assistant.assistant_id]) {
      throw conflict(`assistant ${assistant.assistant_id} already exists`);
    }
    data.assistants[assistant.assistant_id] = structuredClone(assistant);
    data.versions[assistant.assistant_id] = [toVersion(assistant)];
    await this.#db.write();
  }

  async addVersion(version: AssistantVersion, makeLatest: boolean): Promise<Assistant> {
    const data = this.#db.data;
    const current = data.assistants[version.assistant_id];
    if (!current) throw notFound('assistant', version.assistant_id);
    (data.versions[version.assistant_id] ??= []).push(structuredClone(version));
    if (makeLatest) data.assistants[version.assistant_id] = { ...structuredClone(version), updated_at: version.created_at };
    await this.#db.write();
    return structuredClone(data.assistants[version.assistant_id]!);
  }

  async setLatest(assistantId: string, version: number): Promise<Assistant> {
    const data = this.#db.data;
    const found = data.versions[assistantId]?.find((candidate) => candidate.version === version);
    if (!data.assistants[assistantId] || !found) throw notFound('assistant version', `${assistantId}@${version}`);
    data.assistants[assistantId] = { ...structuredClone(found), updated_at: new Date().toISOString() };
    await this.#db.write();
    return structuredClone(data.assistants[assistantId]!);
  }

  async versions(assistantId: string): Promise<AssistantVersion[]> {
    return structuredClone(this.#db.data.versions[assistantId] ?? []);
  }

  async delete(assistantId: string): Promise<boolean> {
    const data = this.#db.data;
    if (!data.assistants[assistantId]) return false;
    delete data.assistants[assistantId];
    delete data.versions[assistantId];
    await this.#db.write();
    return true;
  }

  async search(query: AssistantQuery): Promise<{ items: Assistant[]; total: number }> {
    const matches = Object.values(this.#db.data.assistants).filter(
      (assistant) =>
        (query.graph_id === undefined || assistant.graph_id === query.graph_id) &&
        (query.name === undefined || assistant.name.toLowerCase().includes(query.name.toLowerCase())) &&
        (query.metadata === undefined || jsonContains(assistant.metadata, query.metadata)),
    );
    const items = sortAndPage(matches, {
      sortBy: query.sort_by ?? 'created_at',
      order: query.sort_order ?? 'desc',
      offset: query.offset,
      limit: query.limit,
    });
    return { items: structuredClone(items), total: matches.length };
  }
}

function toVersion(assistant: Assistant): AssistantVersion {
  const { updated_at: _updated, ...version } = structuredClone(assistant);
  return version;
}
