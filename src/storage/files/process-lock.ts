import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { SwitchboardError } from '../../errors.ts';

/**
 * The lowdb backend keeps caches in memory, so exactly one process may own a data folder.
 * The lock file holds the owner's pid; a lock left by a process that no longer exists
 * (killed, crashed) is taken over.
 */
export class ProcessLock {
  readonly #path: string;
  #held = false;

  constructor(dir: string) {
    this.#path = join(dir, '.lock');
  }

  acquire(): void {
    mkdirSync(join(this.#path, '..'), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const fd = openSync(this.#path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.#held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = this.#owner();
        if (owner !== null && owner !== process.pid && isAlive(owner)) {
          throw new SwitchboardError(
            'storage_locked',
            `the data folder ${join(this.#path, '..')} is in use by process ${owner}; one process per lowdb folder (use PostgreSQL for several)`,
          );
        }
        rmSync(this.#path, { force: true });
      }
    }
    throw new SwitchboardError('storage_locked', `could not lock ${this.#path}`);
  }

  release(): void {
    if (!this.#held) return;
    if (this.#owner() === process.pid) rmSync(this.#path, { force: true });
    this.#held = false;
  }

  #owner(): number | null {
    try {
      const pid = Number.parseInt(readFileSync(this.#path, 'utf8'), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
