import { join } from 'node:path';
import type { Installation, InstallationRepo } from '../types.ts';
import type { JsonFiles } from './json-files.ts';
import { RecordFile } from './record-file.ts';

/** Installations are few and change rarely: one lowdb document (`data/installations.json`), read at start-up. */
export class LowdbInstallationRepo implements InstallationRepo {
  readonly #file: RecordFile<{ installations: Installation }>;

  private constructor(file: RecordFile<{ installations: Installation }>) {
    this.#file = file;
  }

  static async open(files: JsonFiles, dir: string): Promise<LowdbInstallationRepo> {
    return new LowdbInstallationRepo(await RecordFile.open<{ installations: Installation }>(files, join(dir, 'installations.json'), ['installations']));
  }

  async get(installationId: string): Promise<Installation | null> {
    return structuredClone(this.#file.data.installations.get(installationId) ?? null);
  }

  async put(installation: Installation): Promise<void> {
    this.#file.change({ installations: [[installation.installation_id, installation]] });
  }

  async delete(installationId: string): Promise<boolean> {
    if (!this.#file.data.installations.has(installationId)) return false;
    this.#file.change({ installations: [[installationId, null]] });
    return true;
  }

  async list(): Promise<Installation[]> {
    return structuredClone([...this.#file.data.installations.values()].sort((a, b) => a.installed_at.localeCompare(b.installed_at)));
  }
}
