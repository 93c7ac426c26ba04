import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Cron, CronRepo } from '../types.ts';

/** Crons are few and change rarely: one lowdb document, read at start-up. */
export class LowdbCronRepo implements CronRepo {
  readonly #db: Low<{ crons: Record<string, Cron> }>;

  private constructor(db: Low<{ crons: Record<string, Cron> }>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<LowdbCronRepo> {
    const file = new DataFile<{ crons: Record<string, Cron> }>(join(dir, 'crons.json'), { parse: JSON.parse, stringify: (data) => JSON.stringify(data) });
    const db = new Low(file, { crons: {} });
    await db.read();
    return new LowdbCronRepo(db);
  }

  async get(cronId: string): Promise<Cron | null> {
    return structuredClone(this.#db.data.crons[cronId] ?? null);
  }

  async put(cron: Cron): Promise<void> {
    this.#db.data.crons[cron.cron_id] = structuredClone(cron);
    await this.#db.write();
  }

  async delete(cronId: string): Promise<boolean> {
    if (!this.#db.data.crons[cronId]) return false;
    delete this.#db.data.crons[cronId];
    await this.#db.write();
    return true;
  }

  async advance(cronId: string, from: string | null, next: Cron): Promise<boolean> {
    if ((this.#db.data.crons[cronId]?.next_run_date ?? null) !== from) return false;
    this.#db.data.crons[cronId] = structuredClone(next);
    await this.#db.write();
    return true;
  }

  async list(): Promise<Cron[]> {
    return structuredClone(Object.values(this.#db.data.crons));
  }
}
