import type { Cron, CronRepo } from '../types.ts';
import type { Db } from './db.ts';

export class PgCronRepo implements CronRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(cronId: string): Promise<Cron | null> {
    const { rows } = await this.#db.query<{ doc: Cron }>('SELECT doc FROM sb_crons WHERE cron_id = $1', [cronId]);
    return rows[0]?.doc ?? null;
  }

  async put(cron: Cron): Promise<void> {
    await this.#db.query('INSERT INTO sb_crons (cron_id, doc) VALUES ($1, $2) ON CONFLICT (cron_id) DO UPDATE SET doc = EXCLUDED.doc', [cron.cron_id, cron]);
  }

  async delete(cronId: string): Promise<boolean> {
    const { rowCount } = await this.#db.query('DELETE FROM sb_crons WHERE cron_id = $1', [cronId]);
    return (rowCount ?? 0) > 0;
  }

  async advance(cronId: string, from: string | null, next: Cron): Promise<boolean> {
    const { rowCount } = await this.#db.query(`UPDATE sb_crons SET doc = $3 WHERE cron_id = $1 AND (doc->>'next_run_date') IS NOT DISTINCT FROM $2`, [cronId, from, next]);
    return (rowCount ?? 0) > 0;
  }

  async list(): Promise<Cron[]> {
    const { rows } = await this.#db.query<{ doc: Cron }>(`SELECT doc FROM sb_crons ORDER BY doc->>'created_at', cron_id`);
    return rows.map((row) => row.doc);
  }
}
