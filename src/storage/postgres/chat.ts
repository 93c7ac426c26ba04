import { invalidInput } from '../../errors.ts';
import { COLLECTION_NAME, type ChatStore, type Collection, type Inbox } from '../types.ts';
import type { Db } from './db.ts';

class PgCollection<T> implements Collection<T> {
  readonly #db: Db;
  readonly #name: string;

  constructor(db: Db, name: string) {
    this.#db = db;
    this.#name = name;
  }

  async get(key: string): Promise<T | null> {
    const { rows } = await this.#db.query<{ value: T }>('SELECT value FROM sb_chat WHERE collection = $1 AND key = $2', [this.#name, key]);
    return rows[0]?.value ?? null;
  }

  async put(key: string, value: T): Promise<void> {
    await this.#db.query('INSERT INTO sb_chat (collection, key, value) VALUES ($1, $2, $3) ON CONFLICT (collection, key) DO UPDATE SET value = EXCLUDED.value', [
      this.#name,
      key,
      JSON.stringify(value),
    ]);
  }

  async delete(key: string): Promise<void> {
    await this.#db.query('DELETE FROM sb_chat WHERE collection = $1 AND key = $2', [this.#name, key]);
  }

  async list(): Promise<Array<{ key: string; value: T }>> {
    const { rows } = await this.#db.query<{ key: string; value: T }>('SELECT key, value FROM sb_chat WHERE collection = $1 ORDER BY seq', [this.#name]);
    return rows;
  }
}

/** The inbox's delivery keys in their own table, shared by every process (what is held is the row's `note`). */
function pgInbox(db: Db): Inbox<unknown> {
  return {
    async accept(key, ttlMs, held) {
      const now = Date.now();
      // One statement: of two processes accepting the same key, exactly one inserts (or takes over an expired key).
      const { rowCount } = await db.query(
        `INSERT INTO sb_dedupe (key, expires_at, note) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at, note = EXCLUDED.note WHERE sb_dedupe.expires_at < $4`,
        [key, now + ttlMs, held === undefined ? null : JSON.stringify(held), now],
      );
      if (Math.random() < 0.01) void db.query('DELETE FROM sb_dedupe WHERE expires_at < $1 AND note IS NULL', [now]).catch(() => undefined);
      return (rowCount ?? 0) > 0;
    },
    async unfinished() {
      const { rows } = await db.query<{ key: string; held: unknown }>('SELECT key, note AS held FROM sb_dedupe WHERE note IS NOT NULL ORDER BY key');
      return rows;
    },
    async finish(key) {
      await db.query('UPDATE sb_dedupe SET note = NULL WHERE key = $1', [key]);
    },
  };
}

/** The chat layer's collections in one table, and the inbox in another. */
export function pgChat(db: Db): ChatStore {
  const inbox = pgInbox(db);
  return {
    collection<T>(name: string) {
      if (!COLLECTION_NAME.test(name)) throw invalidInput(`"${name}" cannot name a chat collection`);
      return new PgCollection<T>(db, name);
    },
    inbox<T>() {
      return inbox as Inbox<T>;
    },
    async adopt(deadOwners, owner, fields) {
      return db.transaction(async (client) => {
        let changed = 0;
        for (const { name, path } of fields.collections) {
          const result = await client.query(
            'UPDATE sb_chat SET value = jsonb_set(value, $3::text[], to_jsonb($2::text)) WHERE collection = $4 AND value #>> $3::text[] = ANY($1::text[])',
            [deadOwners, owner, path, name],
          );
          changed += result.rowCount ?? 0;
        }
        const held = await client.query('UPDATE sb_dedupe SET note = jsonb_set(note, $3::text[], to_jsonb($2::text)) WHERE note #>> $3::text[] = ANY($1::text[])', [
          deadOwners,
          owner,
          fields.inbox,
        ]);
        return changed + (held.rowCount ?? 0);
      });
    },
  };
}
