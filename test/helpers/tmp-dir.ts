import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh folder under the system temp dir; `cleanup()` removes it. */
export function makeTempDir(prefix = 'switchboard-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Fresh folders for the tests of a `describe`, each removed after the test that made it.
 * Call it in the describe (it registers the hook); call what it returns for each folder.
 */
export function useTempDirs(prefix?: string): () => string {
  const made: Array<{ cleanup: () => void }> = [];
  afterEach(() => {
    for (const temp of made.splice(0)) temp.cleanup();
  });
  return () => {
    const temp = makeTempDir(prefix);
    made.push(temp);
    return temp.dir;
  };
}

/** How many of this process's file descriptors point into `dir` (Linux: /proc/self/fd): what a test folder still holds open. */
export function openFilesIn(dir: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      // Gone between the listing and the look (the listing's own descriptor is one).
      return false;
    }
  }).length;
}
