import { emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';
import { openFilesStorage } from '../src/storage/files/index.ts';
import type { Storage, Thread } from '../src/storage/types.ts';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';
import { fmt, median, printTable, timeIt } from './stats.ts';

function newThread(): Thread {
  const now = new Date().toISOString();
  return { thread_id: crypto.randomUUID(), created_at: now, updated_at: now, metadata: { bench: true }, status: 'idle', values: { n: 0 }, interrupts: {} };
}

/** One "write": what a run does to its thread's storage (thread record + a checkpoint). */
async function writeOnce(storage: Storage, thread: Thread, step: number) {
  await storage.threads.put({ ...thread, values: { n: step }, updated_at: new Date().toISOString() });
  const checkpoint = { ...emptyCheckpoint(), id: uuid6(-1), channel_values: { n: step }, channel_versions: { n: step + 1 } };
  await storage.checkpointer.put({ configurable: { thread_id: thread.thread_id, checkpoint_ns: '' } }, checkpoint, { source: 'loop', step, parents: {} }, { n: step + 1 });
}

/** Write time with 10, 1,000 and 10,000 threads stored: it must not grow with the count. */
export async function benchWriteScaling(): Promise<void> {
  const temp = makeTempDir('switchboard-bench-');
  const storage = await openFilesStorage(temp.dir);
  const rows: Array<[string, string]> = [];
  const results = new Map<number, number>();
  try {
    let stored = 0;
    for (const target of [10, 1_000, 10_000]) {
      while (stored < target) {
        const batch = Array.from({ length: Math.min(500, target - stored) }, newThread);
        await Promise.all(batch.map((thread) => storage.threads.create(thread)));
        stored += batch.length;
      }
      // Fresh threads among the stored ones, written 300 times in all; median of 5 repetitions.
      const medians: number[] = [];
      for (let rep = 0; rep < 5; rep += 1) {
        const probes = Array.from({ length: 10 }, newThread);
        for (const probe of probes) await storage.threads.create(probe);
        const samples: number[] = [];
        for (let i = 0; i < 30; i += 1) for (const probe of probes) samples.push(await timeIt(() => writeOnce(storage, probe, i)));
        medians.push(median(samples));
      }
      results.set(target, median(medians));
      rows.push([`${target.toLocaleString('en')} threads stored`, `${fmt(median(medians))} ms per write (thread record + checkpoint)`]);
    }
  } finally {
    await storage.close();
    temp.cleanup();
  }
  rows.push(['ratio 10,000 / 10', `${(results.get(10_000)! / results.get(10)!).toFixed(2)}x (must stay within 1.5x)`]);
  printTable('Write cost against the number of threads stored (lowdb)', rows);
}
