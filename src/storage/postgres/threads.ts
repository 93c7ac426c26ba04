import { conflict } from '../../errors.ts';
import { threadExpiry } from '../thread-expiry.ts';
import type { Thread, ThreadQuery, ThreadRepo } from '../types.ts';
import type { Db, Sql } from './db.ts';
import { isUniqueViolation, orderBy, searchPage } from './sql.ts';

const SORTS = { thread_id: 'thread_id', status: 'status', created_at: 'created_at', updated_at: 'updated_at', state_updated_at: 'state_updated_at' };

interface Row {
  doc: Omit<Thread, 'values' | 'metadata'>;
  metadata: Thread['metadata'];
  values: Thread['values'];
}

const toThread = (row: Row): Thread => ({ ...row.doc, metadata: row.metadata, values: row.values });

/** Thread records; metadata and values in their own columns, so searches filter them with `@>`. */
export class PgThreadRepo implements ThreadRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(threadId: string): Promise<Thread | null> {
    return getThread(this.#db, threadId);
  }

  async create(thread: Thread): Promise<void> {
    try {
      await this.#db.query(
        `INSERT INTO sb_threads (thread_id, status, metadata, "values", created_at, updated_at, state_updated_at, doc, expires_at, idle_since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        columns(thread),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`thread ${thread.thread_id} already exists`);
      throw error;
    }
  }

  async put(thread: Thread): Promise<void> {
    await putThread(this.#db, thread);
  }

  async delete(threadId: string): Promise<boolean> {
    const { rowCount } = await this.#db.query('DELETE FROM sb_threads WHERE thread_id = $1', [threadId]);
    return (rowCount ?? 0) > 0;
  }

  async search(query: ThreadQuery): Promise<{ items: Thread[]; total: number }> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.ids !== undefined) where.push(`thread_id = ANY($${values.push(query.ids)}::text[])`);
    if (query.status !== undefined) where.push(`status = $${values.push(query.status)}`);
    if (query.metadata !== undefined) where.push(`metadata @> $${values.push(JSON.stringify(query.metadata))}::jsonb`);
    if (query.values !== undefined) where.push(`coalesce("values", '{}'::jsonb) @> $${values.push(JSON.stringify(query.values))}::jsonb`);
    const { rows, total } = await searchPage<Row & Record<string, unknown>>(this.#db, {
      columns: `doc, metadata, "values"`,
      from: 'sb_threads',
      where,
      values,
      order: orderBy(query.sort_by ?? 'created_at', SORTS, query.sort_order ?? 'desc', 'thread_id'),
      limit: query.limit,
      offset: query.offset,
    });
    return { items: rows.map(toThread), total };
  }

  async expired(query: { now: Date; defaultMinutes?: number | undefined; limit: number }): Promise<string[]> {
    // Each half walks its own partial index from the oldest entry and stops at `now`: expired rows only.
    const own = `(SELECT thread_id, expires_at AS due FROM sb_threads WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`;
    const idle = `(SELECT thread_id, idle_since + $3 * interval '1 minute' AS due FROM sb_threads WHERE idle_since <= $1 - $3 * interval '1 minute' ORDER BY idle_since LIMIT $2)`;
    const sql = `SELECT thread_id FROM (${query.defaultMinutes === undefined ? own : `${own} UNION ALL ${idle}`}) AS expired ORDER BY due LIMIT $2`;
    const values: unknown[] = [query.now, query.limit];
    if (query.defaultMinutes !== undefined) values.push(query.defaultMinutes);
    const { rows } = await this.#db.query<{ thread_id: string }>(sql, values);
    return rows.map((row) => row.thread_id);
  }
}

export async function getThread(sql: Sql, threadId: string, forUpdate = false): Promise<Thread | null> {
  const { rows } = await sql.query<Row>(`SELECT doc, metadata, "values" FROM sb_threads WHERE thread_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [threadId]);
  return rows[0] ? toThread(rows[0]) : null;
}

export async function putThread(sql: Sql, thread: Thread): Promise<void> {
  await sql.query(
    `INSERT INTO sb_threads (thread_id, status, metadata, "values", created_at, updated_at, state_updated_at, doc, expires_at, idle_since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (thread_id) DO UPDATE SET status = EXCLUDED.status, metadata = EXCLUDED.metadata, "values" = EXCLUDED."values",
       updated_at = EXCLUDED.updated_at, state_updated_at = EXCLUDED.state_updated_at, doc = EXCLUDED.doc,
       expires_at = EXCLUDED.expires_at, idle_since = EXCLUDED.idle_since`,
    columns(thread),
  );
}

function columns(thread: Thread): unknown[] {
  const { values, metadata, ...doc } = thread;
  const { expiresAt, idleSince } = threadExpiry(thread);
  const at = (ms: number | null) => (ms === null ? null : new Date(ms));
  return [
    thread.thread_id,
    thread.status,
    JSON.stringify(metadata),
    values === null ? null : JSON.stringify(values),
    thread.created_at,
    thread.updated_at,
    thread.state_updated_at ?? null,
    doc,
    at(expiresAt),
    at(idleSince),
  ];
}
