import type { Run, RunQuery, RunRepo } from '../types.ts';
import type { Db } from './db.ts';

/** Runs; `seq` is the order of acceptance, which the queue follows. */
export class PgRunRepo implements RunRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(threadId: string, runId: string): Promise<Run | null> {
    const { rows } = await this.#db.query<{ doc: Run }>('SELECT doc FROM sb_runs WHERE run_id = $1 AND thread_id = $2', [runId, threadId]);
    return rows[0]?.doc ?? null;
  }

  async put(run: Run): Promise<void> {
    await this.#db.query(
      `INSERT INTO sb_runs (run_id, thread_id, status, metadata, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, metadata = EXCLUDED.metadata, doc = EXCLUDED.doc`,
      [run.run_id, run.thread_id, run.status, JSON.stringify(run.metadata), run.created_at, run],
    );
  }

  async delete(threadId: string, runId: string): Promise<boolean> {
    const { rowCount } = await this.#db.query('DELETE FROM sb_runs WHERE run_id = $1 AND thread_id = $2', [runId, threadId]);
    return (rowCount ?? 0) > 0;
  }

  async listByThread(threadId: string, query: RunQuery): Promise<Run[]> {
    const values: unknown[] = [threadId];
    const where = ['thread_id = $1'];
    if (query.status !== undefined) where.push(`status = $${values.push(query.status)}`);
    if (query.metadata !== undefined) where.push(`metadata @> $${values.push(JSON.stringify(query.metadata))}::jsonb`);
    const { rows } = await this.#db.query<{ doc: Run }>(
      // Newest first, as the Platform lists them; run ids are time-ordered (uuid7) and break ties.
      `SELECT doc FROM sb_runs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, run_id DESC LIMIT $${values.push(query.limit)} OFFSET $${values.push(query.offset)}`,
      values,
    );
    return rows.map((row) => row.doc);
  }

  async active(): Promise<Run[]> {
    const { rows } = await this.#db.query<{ doc: Run }>(`SELECT doc FROM sb_runs WHERE status IN ('pending', 'running') ORDER BY seq`);
    return rows.map((row) => row.doc);
  }

  async deleteByThread(threadId: string): Promise<void> {
    await this.#db.query('DELETE FROM sb_runs WHERE thread_id = $1', [threadId]);
  }
}
