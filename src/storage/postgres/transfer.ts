import type { Assistant, AssistantVersion, InboxEntry, StorageTransfer, StoreItemRecord } from '../types.ts';
import type { Db } from './db.ts';

/** Listings and original-time writes for moving records in and out of PostgreSQL; a taken key is left as it is. */
export function pgTransfer(db: Db): StorageTransfer {
  return {
    async chatCollections() {
      const { rows } = await db.query<{ collection: string }>('SELECT DISTINCT collection FROM sb_chat ORDER BY collection');
      return rows.map((row) => row.collection);
    },
    async inboxEntries() {
      const { rows } = await db.query<{ key: string; expires: string; held: unknown }>('SELECT key, expires_at AS expires, note AS held FROM sb_dedupe ORDER BY key');
      // bigint arrives as text; epoch milliseconds fit a double.
      return rows.map(({ key, expires, held }): InboxEntry => ({ key, expires: Number(expires), ...(held === null ? {} : { held }) }));
    },
    async restoreInboxEntry({ key, expires, held }) {
      const { rowCount } = await db.query('INSERT INTO sb_dedupe (key, expires_at, note) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [
        key,
        expires,
        held === undefined ? null : JSON.stringify(held),
      ]);
      return (rowCount ?? 0) > 0;
    },
    async restoreStoreItem(item: StoreItemRecord) {
      const { rowCount } = await db.query(
        'INSERT INTO sb_store (namespace, key, value, created_at, updated_at, vectors, ttl_minutes, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (namespace, key) DO NOTHING',
        [
          item.namespace,
          item.key,
          JSON.stringify(item.value),
          item.created_at,
          item.updated_at,
          item.vectors ? JSON.stringify(item.vectors) : null,
          item.ttl_minutes ?? null,
          item.expires_at ?? null,
        ],
      );
      return (rowCount ?? 0) > 0;
    },
    async storeVectors(namespace: string[], key: string) {
      const { rows } = await db.query<{ vectors: Record<string, number[]> | null }>('SELECT vectors FROM sb_store WHERE namespace = $1 AND key = $2', [namespace, key]);
      return rows[0]?.vectors ?? undefined;
    },
    async storeExpiry(namespace: string[], key: string) {
      const { rows } = await db.query<{ ttl_minutes: number | null; expires_at: Date | null }>('SELECT ttl_minutes, expires_at FROM sb_store WHERE namespace = $1 AND key = $2', [
        namespace,
        key,
      ]);
      const row = rows[0];
      return row?.ttl_minutes != null && row.expires_at ? { ttl_minutes: row.ttl_minutes, expires_at: new Date(row.expires_at).toISOString() } : undefined;
    },
    async restoreAssistant(assistant: Assistant, versions: AssistantVersion[]) {
      return db.transaction(async (client) => {
        const { rowCount } = await client.query(
          `INSERT INTO sb_assistants (assistant_id, graph_id, name, metadata, created_at, updated_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (assistant_id) DO NOTHING`,
          [assistant.assistant_id, assistant.graph_id, assistant.name, assistant.metadata, assistant.created_at, assistant.updated_at, assistant],
        );
        if (!rowCount) return false;
        await client.query('INSERT INTO sb_assistant_versions (assistant_id, version, doc) SELECT $1, * FROM unnest($2::int[], $3::jsonb[])', [
          assistant.assistant_id,
          versions.map((version) => version.version),
          versions.map((version) => JSON.stringify(version)),
        ]);
        return true;
      });
    },
  };
}
