import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataFile } from 'lowdb/node';
import { SwitchboardError } from '../../errors.ts';

/**
 * Atomic JSON files on lowdb's file adapter: each write goes to a temporary file that is
 * renamed over the old one, so a process killed at any moment leaves either the old or
 * the new content, never a torn file. Once `write()` resolves, the data is in the file
 * system and survives the process (not a power cut: there is no fsync).
 *
 * Writes to one path share one adapter, which orders them and lets a burst collapse into
 * its last value; different paths are written independently, so the cost of a write
 * depends on that file's size only, never on how many files there are.
 */
export class JsonFiles {
  readonly #open = new Map<string, { file: DataFile<unknown>; users: number }>();
  readonly #knownDirs = new Set<string>();

  async read<T>(path: string): Promise<T | null> {
    try {
      return (await this.#acquire(path).file.read()) as T | null;
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new SwitchboardError('storage_corrupt', `${path} is not valid JSON`, { cause: error });
      }
      throw error;
    } finally {
      this.#release(path);
    }
  }

  async write(path: string, data: unknown): Promise<void> {
    const dir = dirname(path);
    if (!this.#knownDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.#knownDirs.add(dir);
    }
    try {
      await this.#acquire(path).file.write(data);
    } finally {
      this.#release(path);
    }
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  async removeDir(dir: string): Promise<void> {
    for (const known of this.#knownDirs) if (known === dir || known.startsWith(`${dir}/`)) this.#knownDirs.delete(known);
    await rm(dir, { recursive: true, force: true });
  }

  /** Names in a directory; an absent directory is empty. Temporary files are skipped. */
  async list(dir: string): Promise<string[]> {
    try {
      return (await readdir(dir)).filter((name) => !name.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Forget that a directory exists (after something else removed it). */
  forgetDir(dir: string): void {
    this.#knownDirs.delete(dir);
  }

  #acquire(path: string) {
    let entry = this.#open.get(path);
    if (!entry) {
      entry = { file: new DataFile<unknown>(path, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) }), users: 0 };
      this.#open.set(path, entry);
    }
    entry.users += 1;
    return entry;
  }

  #release(path: string) {
    const entry = this.#open.get(path);
    if (entry && --entry.users === 0) this.#open.delete(path);
  }
}

/** Ids become file names: accept only characters that cannot climb out of a folder. */
export function assertSafeId(kind: string, id: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    throw new SwitchboardError('invalid_input', `${kind} "${id}" is not a valid id (letters, digits, _ and - only)`);
  }
  return id;
}
