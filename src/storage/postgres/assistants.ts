import { conflict, notFound } from '../../errors.ts';
import type { Assistant, AssistantQuery, AssistantRepo, AssistantVersion } from '../types.ts';
import type { Db, Sql } from './db.ts';
import { isUniqueViolation, orderBy, searchPage } from './sql.ts';

const SORTS = { assistant_id: 'assistant_id', graph_id: 'graph_id', name: 'name', created_at: 'created_at', updated_at: 'updated_at' };

/** Assistants and their versions: the latest in `sb_assistants`, every version in `sb_assistant_versions`. */
export class PgAssistantRepo implements AssistantRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(assistantId: string): Promise<Assistant | null> {
    const { rows } = await this.#db.query<{ doc: Assistant }>('SELECT doc FROM sb_assistants WHERE assistant_id = $1', [assistantId]);
    return rows[0]?.doc ?? null;
  }

  async create(assistant: Assistant): Promise<void> {
    try {
      await this.#db.transaction(async (client) => {
        await client.query('INSERT INTO sb_assistants (assistant_id, graph_id, name, metadata, created_at, updated_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          assistant.assistant_id,
          assistant.graph_id,
          assistant.name,
          assistant.metadata,
          assistant.created_at,
          assistant.updated_at,
          assistant,
        ]);
        await client.query('INSERT INTO sb_assistant_versions (assistant_id, version, doc) VALUES ($1, $2, $3)', [assistant.assistant_id, assistant.version, toVersion(assistant)]);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`assistant ${assistant.assistant_id} already exists`);
      throw error;
    }
  }

  async addVersion(version: AssistantVersion, makeLatest: boolean): Promise<Assistant> {
    return this.#db.transaction(async (client) => {
      const { rows } = await client.query<{ doc: Assistant }>('SELECT doc FROM sb_assistants WHERE assistant_id = $1 FOR UPDATE', [version.assistant_id]);
      if (!rows[0]) throw notFound('assistant', version.assistant_id);
      await client.query('INSERT INTO sb_assistant_versions (assistant_id, version, doc) VALUES ($1, $2, $3)', [version.assistant_id, version.version, version]);
      if (!makeLatest) return rows[0].doc;
      return this.#setLatestIn(client, { ...version, updated_at: version.created_at });
    });
  }

  async setLatest(assistantId: string, version: number): Promise<Assistant> {
    const { rows } = await this.#db.query<{ doc: AssistantVersion }>('SELECT doc FROM sb_assistant_versions WHERE assistant_id = $1 AND version = $2', [assistantId, version]);
    if (!rows[0]) throw notFound('assistant version', `${assistantId}@${version}`);
    return this.#setLatestIn(this.#db, { ...rows[0].doc, updated_at: new Date().toISOString() });
  }

  async #setLatestIn(client: Sql, assistant: Assistant): Promise<Assistant> {
    await client.query('UPDATE sb_assistants SET graph_id = $2, name = $3, metadata = $4, updated_at = $5, doc = $6 WHERE assistant_id = $1', [
      assistant.assistant_id,
      assistant.graph_id,
      assistant.name,
      assistant.metadata,
      assistant.updated_at,
      assistant,
    ]);
    return assistant;
  }

  async versions(assistantId: string): Promise<AssistantVersion[]> {
    const { rows } = await this.#db.query<{ doc: AssistantVersion }>('SELECT doc FROM sb_assistant_versions WHERE assistant_id = $1 ORDER BY version', [assistantId]);
    return rows.map((row) => row.doc);
  }

  async delete(assistantId: string): Promise<boolean> {
    const { rowCount } = await this.#db.query('DELETE FROM sb_assistants WHERE assistant_id = $1', [assistantId]);
    return (rowCount ?? 0) > 0;
  }

  async search(query: AssistantQuery): Promise<{ items: Assistant[]; total: number }> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.graph_id !== undefined) where.push(`graph_id = $${values.push(query.graph_id)}`);
    if (query.name !== undefined) where.push(`strpos(lower(name), lower($${values.push(query.name)})) > 0`);
    if (query.metadata !== undefined) where.push(`metadata @> $${values.push(JSON.stringify(query.metadata))}::jsonb`);
    const { rows, total } = await searchPage<{ doc: Assistant }>(this.#db, {
      columns: 'doc',
      from: 'sb_assistants',
      where,
      values,
      order: orderBy(query.sort_by ?? 'created_at', SORTS, query.sort_order ?? 'desc', 'assistant_id'),
      limit: query.limit,
      offset: query.offset,
    });
    return { items: rows.map((row) => row.doc), total };
  }
}

function toVersion(assistant: Assistant): AssistantVersion {
  const { updated_at: _updated, ...version } = assistant;
  return version;
}
