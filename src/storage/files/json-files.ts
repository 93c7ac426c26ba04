import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataFileSync } from 'lowdb/node';
import { SwitchboardError } from '../../errors.ts';

const compact = { parse: JSON.parse, stringify: (data: unknown) => JSON.stringify(data) };

/**
 * Atomic JSON files on lowdb's file adapter: each write goes to a temporary file that is
 * renamed over the old one, so a process killed at any moment leaves either the old or
 * the new content, never a torn file. Once `write()` returns, the data is in the file
 * system and survives the process (not a power cut: there is no fsync).
 *
 * lowdb's synchronous adapter is used on purpose: these files are small, and a
 * synchronous write+rename costs about half of the asynchronous one, which pays three
 * thread-pool round trips. Being synchronous, two writes of one file can never
 * interleave. Each file is independent, so a write costs the same whatever the number of
 * files stored.
 */
export class JsonFiles {
  readonly #knownDirs = new Set<string>();

  async read<T>(path: string): Promise<T | null> {
    return this.readNow<T>(path);
  }

  readNow<T>(path: string): T | null {
    try {
      return new DataFileSync<T>(path, compact as never).read();
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new SwitchboardError('storage_corrupt', `${path} is not valid JSON`, { cause: error });
      }
      throw error;
    }
  }

  async write(path: string, data: unknown): Promise<void> {
    this.writeNow(path, data);
  }

  /** Synchronous write: for a check-and-set with no await between the check and the write. */
  writeNow(path: string, data: unknown): void {
    const dir = dirname(path);
    if (!this.#knownDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.#knownDirs.add(dir);
    }
    new DataFileSync<unknown>(path, compact).write(data);
  }

  async remove(path: string): Promise<void> {
    rmSync(path, { force: true });
  }

  async removeDir(dir: string): Promise<void> {
    for (const known of this.#knownDirs) if (known === dir || known.startsWith(`${dir}/`)) this.#knownDirs.delete(known);
    rmSync(dir, { recursive: true, force: true });
  }

  /** Names in a directory; an absent directory is empty. Temporary files are skipped. */
  async list(dir: string): Promise<string[]> {
    try {
      return readdirSync(dir).filter((name) => !name.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

/** Ids become file names: accept only characters that cannot climb out of a folder. */
export function assertSafeId(kind: string, id: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    throw new SwitchboardError('invalid_input', `${kind} "${id}" is not a valid id (letters, digits, _ and - only)`);
  }
  return id;
}
