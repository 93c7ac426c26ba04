import type { ChatRepo, KeyValueRepo } from '../types.ts';
import type { Db } from './db.ts';

type Doc = Record<string, unknown>;

class PgCollection implements KeyValueRepo<Doc> {
  readonly #db: Db;
  readonly #name: string;

  constructor(db: Db, name: string) {
    this.#db = db;
    this.#name = name;
  }

  async get(key: string): Promise<Doc | null> {
    const { rows } = await this.#db.query<{ value: Doc }>('SELECT value FROM sb_chat WHERE collection = $1 AND key = $2', [this.#name, key]);
    return rows[0]?.value ?? null;
  }

  async put(key: string, value: Doc): Promise<void> {
    await this.#db.query(
      'INSERT INTO sb_chat (collection, key, value) VALUES ($1, $2, $3) ON CONFLICT (collection, key) DO UPDATE SET value = EXCLUDED.value',
      [this.#name, key, JSON.stringify(value)],
    );
  }

  async delete(key: string): Promise<void> {
    await this.#db.query('DELETE FROM sb_chat WHERE collection = $1 AND key = $2', [this.#name, key]);
  }

  async list(): Promise<Array<{ key: string; value: Doc }>> {
    const { rows } = await this.#db.query<{ key: string; value: Doc }>('SELECT key, value FROM sb_chat WHERE collection = $1 ORDER BY seq', [this.#name]);
    return rows;
  }
}

/** The chat layer's collections in one table, and delivery keys in another (shared by every process). */
export function pgChat(db: Db): ChatRepo {
  const collection = (name: string) => new PgCollection(db, name);
  return {
    conversations: collection('conversations'),
    channels: collection('channels'),
    prompts: collection('prompts'),
    replies: collection('replies'),
    outbox: collection('outbox'),
    playground: collection('playground'),
    async claim(key, ttlMs, note) {
      const now = Date.now();
      // One statement: of two processes claiming the same key, exactly one inserts (or takes over an expired key).
      const { rowCount } = await db.query(
        `INSERT INTO sb_dedupe (key, expires_at, note) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at, note = EXCLUDED.note WHERE sb_dedupe.expires_at < $4`,
        [key, now + ttlMs, note === undefined ? null : JSON.stringify(note), now],
      );
      if (Math.random() < 0.01) void db.query('DELETE FROM sb_dedupe WHERE expires_at < $1 AND note IS NULL', [now]).catch(() => undefined);
      return (rowCount ?? 0) > 0;
    },
    async notes() {
      const { rows } = await db.query<{ key: string; note: unknown }>('SELECT key, note FROM sb_dedupe WHERE note IS NOT NULL ORDER BY key');
      return rows;
    },
    async clearNote(key) {
      await db.query('UPDATE sb_dedupe SET note = NULL WHERE key = $1', [key]);
    },
    async adopt(deadOwners, owner) {
      return db.transaction(async (client) => {
        const records = await client.query(
          `UPDATE sb_chat SET value = jsonb_set(value, '{owner}', to_jsonb($2::text)) WHERE collection IN ('outbox', 'replies') AND value->>'owner' = ANY($1::text[])`,
          [deadOwners, owner],
        );
        const bursts = await client.query(
          `UPDATE sb_chat SET value = jsonb_set(value, '{collecting,owner}', to_jsonb($2::text)) WHERE collection = 'conversations' AND value->'collecting'->>'owner' = ANY($1::text[])`,
          [deadOwners, owner],
        );
        const notes = await client.query(`UPDATE sb_dedupe SET note = jsonb_set(note, '{owner}', to_jsonb($2::text)) WHERE note->>'owner' = ANY($1::text[])`, [deadOwners, owner]);
        return (records.rowCount ?? 0) + (bursts.rowCount ?? 0) + (notes.rowCount ?? 0);
      });
    },
  };
}
