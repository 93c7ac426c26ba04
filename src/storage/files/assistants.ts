import { join } from 'node:path';
import { conflict, notFound } from '../../errors.ts';
import { jsonContains, sortAndPage } from '../query.ts';
import type { Assistant, AssistantQuery, AssistantRepo, AssistantVersion } from '../types.ts';
import type { JsonFiles } from './json-files.ts';
import { RecordFile } from './record-file.ts';

interface AssistantsFile extends Record<string, unknown> {
  assistants: Assistant;
  versions: AssistantVersion[];
}

/**
 * Assistants are few (a handful per graph), so they live in one lowdb file that is read
 * once at start-up and rewritten on each change.
 */
export class LowdbAssistantRepo implements AssistantRepo {
  readonly #file: RecordFile<AssistantsFile>;

  private constructor(file: RecordFile<AssistantsFile>) {
    this.#file = file;
  }

  static async open(files: JsonFiles, dir: string): Promise<LowdbAssistantRepo> {
    return new LowdbAssistantRepo(await RecordFile.open<AssistantsFile>(files, join(dir, 'assistants.json'), ['assistants', 'versions']));
  }

  async get(assistantId: string): Promise<Assistant | null> {
    return structuredClone(this.#file.data.assistants.get(assistantId) ?? null);
  }

  async create(assistant: Assistant): Promise<void> {
    if (this.#file.data.assistants.has(assistant.assistant_id)) {
      throw conflict(`assistant ${assistant.assistant_id} already exists`);
    }
    this.#file.change({ assistants: [[assistant.assistant_id, assistant]], versions: [[assistant.assistant_id, [toVersion(assistant)]]] });
  }

  async addVersion(version: AssistantVersion, makeLatest: boolean): Promise<Assistant> {
    const { assistants, versions } = this.#file.data;
    const current = assistants.get(version.assistant_id);
    if (!current) throw notFound('assistant', version.assistant_id);
    const latest = makeLatest ? { ...version, updated_at: version.created_at } : current;
    this.#file.change({
      assistants: [[version.assistant_id, latest]],
      versions: [[version.assistant_id, [...(versions.get(version.assistant_id) ?? []), version]]],
    });
    return structuredClone(latest);
  }

  async setLatest(assistantId: string, version: number): Promise<Assistant> {
    const { assistants, versions } = this.#file.data;
    const found = versions.get(assistantId)?.find((candidate) => candidate.version === version);
    if (!assistants.has(assistantId) || !found) throw notFound('assistant version', `${assistantId}@${version}`);
    const latest = { ...found, updated_at: new Date().toISOString() };
    this.#file.change({ assistants: [[assistantId, latest]] });
    return structuredClone(latest);
  }

  /** Stores an assistant with its whole history as it was elsewhere, unless the id is taken. */
  async restore(assistant: Assistant, versions: AssistantVersion[]): Promise<boolean> {
    if (this.#file.data.assistants.has(assistant.assistant_id)) return false;
    this.#file.change({ assistants: [[assistant.assistant_id, assistant]], versions: [[assistant.assistant_id, versions]] });
    return true;
  }

  async versions(assistantId: string): Promise<AssistantVersion[]> {
    return structuredClone(this.#file.data.versions.get(assistantId) ?? []);
  }

  async delete(assistantId: string): Promise<boolean> {
    if (!this.#file.data.assistants.has(assistantId)) return false;
    this.#file.change({ assistants: [[assistantId, null]], versions: [[assistantId, null]] });
    return true;
  }

  async search(query: AssistantQuery): Promise<{ items: Assistant[]; total: number }> {
    const matches = [...this.#file.data.assistants.values()].filter(
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
