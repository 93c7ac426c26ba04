import { mkdirSync } from 'node:fs';
import type { MovableStorage } from '../types.ts';
import { LowdbAssistantRepo } from './assistants.ts';
import { openFilesChat } from './chat.ts';
import { JournalCheckpointSaver } from './checkpointer.ts';
import { LowdbCronRepo } from './crons.ts';
import { LowdbInstallationRepo } from './installations.ts';
import { JournalPool, type JournalPoolLimits, Sequence } from './journal-pool.ts';
import { JsonFiles } from './json-files.ts';
import { ProcessLock } from './process-lock.ts';
import { QueueLog } from './queue-log.ts';
import { JournalFeedbackRepo } from './feedback.ts';
import { JournalRunRepo } from './runs.ts';
import type { IndexConfig } from '@langchain/langgraph-checkpoint';
import { LowdbStore } from './store.ts';
import type { StoreTtl } from '../store-ttl.ts';
import { JournalThreadRepo } from './threads.ts';

/**
 * The files backend (the default; `storage.kind: lowdb` in the config): files under one
 * data folder, owned by one process.
 *
 *   data/assistants.json              every assistant and its versions (a lowdb document)
 *   data/crons.json                   scheduled runs (a lowdb document)
 *   data/installations.json           the workspaces the Slack app is installed in (tokens sealed)
 *   data/store/<namespace>.json       long-term memory items (lowdb documents)
 *   data/threads/<thread>.jsonl       one journal per thread: its record, runs, checkpoints, writes
 *   data/queue.jsonl                  the runs accepted and not yet ended, in order
 *   data/chat/*.jsonl                 the chat layer: one journal per collection, and the inbox (dedupe.jsonl)
 *
 * Documents that change rarely are lowdb files rewritten atomically; everything a run
 * changes is appended to its thread's journal, one line per change.
 */
export async function openFilesStorage(
  dir: string,
  options: { storeIndex?: IndexConfig | undefined; storeTtl?: StoreTtl | undefined; now?: (() => Date) | undefined; journals?: Partial<JournalPoolLimits> } = {},
): Promise<MovableStorage> {
  mkdirSync(dir, { recursive: true });
  const lock = new ProcessLock(dir);
  lock.acquire();
  const pool = new JournalPool(dir, options.journals);
  let queue: QueueLog | undefined;
  try {
    const seq = new Sequence();
    queue = QueueLog.open(dir);
    const files = new JsonFiles();
    const [assistants, crons, installations] = await Promise.all([LowdbAssistantRepo.open(files, dir), LowdbCronRepo.open(files, dir), LowdbInstallationRepo.open(files, dir)]);
    const openQueue = queue;
    const chat = openFilesChat(dir);
    const store = new LowdbStore(files, dir, options.storeIndex, options.storeTtl, options.now);
    return {
      kind: 'lowdb',
      assistants,
      threads: new JournalThreadRepo(pool, seq),
      runs: new JournalRunRepo(pool, openQueue, seq),
      feedback: new JournalFeedbackRepo(pool, seq),
      crons,
      installations,
      chat,
      checkpointer: new JournalCheckpointSaver(pool, seq),
      store,
      transfer: {
        chatCollections: async () => chat.collectionNames(),
        inboxEntries: async () => chat.inboxEntries(),
        restoreInboxEntry: async (entry) => chat.restoreInboxEntry(entry),
        restoreStoreItem: (item) => store.restore(item),
        storeVectors: (namespace, key) => store.vectorsOf(namespace, key),
        storeExpiry: (namespace, key) => store.expiryOf(namespace, key),
        restoreAssistant: (assistant, versions) => assistants.restore(assistant, versions),
      },
      // Each journal is reopened, read once, on its next use.
      releaseMemory: () => pool.closeAll(),
      async close() {
        pool.closeAll();
        openQueue.close();
        chat.close();
        lock.release();
      },
    };
  } catch (error) {
    queue?.close();
    lock.release();
    throw error;
  }
}
