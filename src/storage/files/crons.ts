import { join } from 'node:path';
import type { Cron, CronRepo } from '../types.ts';
import type { JsonFiles } from './json-files.ts';
import { RecordFile } from './record-file.ts';

/** Crons are few and change rarely: one lowdb document, read at start-up. */
export class LowdbCronRepo implements CronRepo {
  readonly #file: RecordFile<{ crons: Cron }>;

  private constructor(file: RecordFile<{ crons: Cron }>) {
    this.#file = file;
  }

  static async open(files: JsonFiles, dir: string): Promise<LowdbCronRepo> {
    return new LowdbCronRepo(await RecordFile.open<{ crons: Cron }>(files, join(dir, 'crons.json'), ['crons']));
  }

  async get(cronId: string): Promise<Cron | null> {
    return structuredClone(this.#file.data.crons.get(cronId) ?? null);
  }

  async put(cron: Cron): Promise<void> {
    this.#file.change({ crons: [[cron.cron_id, cron]] });
  }

  async delete(cronId: string): Promise<boolean> {
    if (!this.#file.data.crons.has(cronId)) return false;
    this.#file.change({ crons: [[cronId, null]] });
    return true;
  }

  async advance(cronId: string, from: string | null, next: Cron): Promise<boolean> {
    if ((this.#file.data.crons.get(cronId)?.next_run_date ?? null) !== from) return false;
    this.#file.change({ crons: [[cronId, next]] });
    return true;
  }

  async list(): Promise<Cron[]> {
    return structuredClone([...this.#file.data.crons.values()]);
  }
}
