import { mkdir } from 'node:fs/promises';
import type { Storage } from '../types.ts';
import { LowdbAssistantRepo } from './assistants.ts';
import { LowdbCheckpointSaver } from './checkpointer.ts';
import { JsonFiles } from './json-files.ts';
import { ProcessLock } from './process-lock.ts';
import { LowdbRunRepo } from './runs.ts';
import { LowdbStore } from './store.ts';
import { LowdbThreadRepo } from './threads.ts';

/**
 * The embedded backend: JSON files under one data folder, owned by one process.
 *
 *   data/assistants.json                       every assistant and its versions
 *   data/threads/<thread>/thread.json          one thread
 *   data/threads/<thread>/runs/<run>.json      its runs
 *   data/threads/<thread>/checkpoints/<ns>/    its checkpoints and pending writes
 *   data/active-runs/<run>.json                the queue: one marker per pending or running run
 *   data/store/<namespace>.json                long-term memory items
 */
export async function openLowdbStorage(dir: string): Promise<Storage> {
  await mkdir(dir, { recursive: true });
  const lock = new ProcessLock(dir);
  lock.acquire();
  try {
    const files = new JsonFiles();
    const threads = new LowdbThreadRepo(files, dir);
    const [assistants, runs] = await Promise.all([LowdbAssistantRepo.open(dir), LowdbRunRepo.open(files, threads, dir)]);
    return {
      kind: 'lowdb',
      assistants,
      threads,
      runs,
      checkpointer: new LowdbCheckpointSaver(files, threads),
      store: new LowdbStore(files, dir),
      async close() {
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
