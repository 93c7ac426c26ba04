import { join } from 'node:path';
import { createEngine } from '../src/engine/engine.ts';
import { GraphRegistry } from '../src/engine/graphs.ts';
import { silentLogger } from '../src/log.ts';
import { exportTo } from '../src/ops/move/export.ts';
import { describeCounts, type Header } from '../src/ops/move/format.ts';
import { importFrom } from '../src/ops/move/import.ts';
import { openFilesStorage } from '../src/storage/files/index.ts';
import { openPostgresStorage } from '../src/storage/postgres/index.ts';
import type { MovableStorage } from '../src/storage/types.ts';
import { dropSchema } from '../test/helpers/postgres.ts';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';
import { twoNodeGraph } from './graphs.ts';
import { fmt, median, printTable, timeIt } from './stats.ts';

const THREADS = 1_000;
const REPEATS = 3;
const URL_ = process.env.TEST_DATABASE_URL;

/**
 * Moving between backends: 1,000 threads with one run each (the trivial two-node graph)
 * exported from a data folder, then imported into a fresh data folder (the baseline) and
 * into a fresh PostgreSQL schema. Each import includes its count check (a full read of the target).
 */
export async function benchMove(): Promise<void> {
  const source = makeTempDir('switchboard-bench-move-');
  const out = makeTempDir('switchboard-bench-move-out-');
  try {
    await seed(source.dir);
    const file = join(out.dir, 'export.jsonl');
    let header: Header | undefined;
    const exported = await timeIt(async () => {
      header = await withStorage(await openFilesStorage(source.dir), (storage) => exportTo(storage, file));
    });
    const intoFiles = await repeat(async () => {
      const target = makeTempDir('switchboard-bench-move-target-');
      try {
        return await timeIt(() => withStorage(openFilesStorage(target.dir), (storage) => importFrom(storage, file)));
      } finally {
        target.cleanup();
      }
    });
    const rows: Array<[string, string]> = [
      ['export from files', `${fmt(exported)} ms (${describeCounts(header!.counts)})`],
      ['import into files (baseline)', `${fmt(intoFiles)} ms`],
    ];
    if (URL_) {
      const intoPostgres = await repeat(async () => {
        const schema = `sb_bench_move_${process.pid}_${Date.now().toString(36)}`;
        try {
          return await timeIt(() => withStorage(openPostgresStorage({ url: URL_, schema, poolSize: 4 }), (storage) => importFrom(storage, file)));
        } finally {
          await dropSchema(schema);
        }
      });
      rows.push(['import into PostgreSQL', `${fmt(intoPostgres)} ms (${(intoPostgres / intoFiles).toFixed(2)}x files)`]);
    } else rows.push(['import into PostgreSQL', 'skipped (set TEST_DATABASE_URL to measure it)']);
    printTable(`Moving ${THREADS} threads with one run each (median of ${REPEATS} imports)`, rows);
  } finally {
    source.cleanup();
    out.cleanup();
  }
}

async function seed(dir: string) {
  const storage = await openFilesStorage(dir);
  const graphs = GraphRegistry.fromGraphs({ counter: twoNodeGraph() }, { checkpointer: storage.checkpointer, store: storage.store });
  const engine = createEngine({ storage, graphs, log: silentLogger(), cronIntervalMs: 0 });
  await engine.start();
  for (let i = 0; i < THREADS; i += 1) {
    const thread = await engine.threads.create();
    await engine.runs.wait(thread.thread_id, { assistant_id: 'counter', input: { count: 1 } });
  }
  await engine.stop();
}

async function repeat(sample: () => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i += 1) samples.push(await sample());
  return median(samples);
}

async function withStorage<T>(opening: MovableStorage | Promise<MovableStorage>, use: (storage: MovableStorage) => Promise<T>): Promise<T> {
  const storage = await opening;
  try {
    return await use(storage);
  } finally {
    await storage.close();
  }
}
