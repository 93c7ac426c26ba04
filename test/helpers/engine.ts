import { createEngine, type Engine, type EngineOptions } from '../../src/engine/engine.ts';
import { GraphRegistry } from '../../src/engine/graphs.ts';
import { graph as approval } from '../../src/graphs/approval.ts';
import { graph as chat } from '../../src/graphs/chat.ts';
import { graph as writer } from '../../src/graphs/writer.ts';
import { silentLogger } from '../../src/log.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import { createCluster } from '../../src/cluster/index.ts';
import { openPostgresStorage } from '../../src/storage/postgres/index.ts';
import { testGraphs } from './graphs.ts';
import { dropSchema, freshSchema, pgOptions } from './postgres.ts';
import { makeTempDir } from './tmp-dir.ts';
import type { StoreTtl } from '../../src/storage/store-ttl.ts';

export const exampleGraphs = { chat, writer, approval };

export interface TestEngine extends Engine {
  dataDir: string;
  /** Stops the engine and removes its data folder. */
  dispose(): Promise<void>;
}

/**
 * The backend engine tests run on: lowdb, or PostgreSQL with the shared-runs scheduler
 * when TEST_ENGINE_BACKEND=postgres (vitest's "engine-on-postgres" project sets it).
 */
const BACKEND = process.env.TEST_ENGINE_BACKEND === 'postgres' ? 'postgres' : 'lowdb';

/**
 * An engine on fresh storage with the example and test graphs. `dataDir` names where its
 * data lives (a folder, or a PostgreSQL schema), so a test can start another engine on it.
 */
export async function startTestEngine(
  options: Partial<Omit<EngineOptions, 'storage' | 'graphs' | 'log'>> & {
    dataDir?: string;
    graphs?: Record<string, unknown>;
    /** Store items' time to live (store.ttl), measured by the engine's clock (`now`). */
    storeTtl?: StoreTtl;
    /** The storage's clock (store items' expiry), when it is not the engine's `now`: runs keep the real time. */
    storageNow?: () => Date;
    /** On PostgreSQL: one process's turn at each sweep, through the database, as main.ts wires it. */
    sharedSweeps?: boolean;
  } = {},
): Promise<TestEngine> {
  const { storeTtl, storageNow, sharedSweeps, ...engineOptions } = options;
  const { storage, dataDir, cleanup, cluster } = await openTestStorage(options.dataDir, { storeTtl, now: storageNow ?? options.now });
  const graphs = GraphRegistry.fromGraphs(options.graphs ?? { ...exampleGraphs, ...testGraphs }, {
    checkpointer: storage.checkpointer,
    store: storage.store,
  });
  const engine = createEngine({
    cronIntervalMs: 0,
    ...engineOptions,
    ...(sharedSweeps && cluster ? { sweepTurn: cluster.sweepTurn } : {}),
    storage,
    graphs,
    log: silentLogger(),
    ...(cluster ? { scheduler: (parts: Parameters<typeof cluster.scheduler>[0]) => cluster.scheduler(parts) } : {}),
  });
  await engine.start();
  let disposed = false;
  return Object.assign(engine, {
    dataDir,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await engine.stop();
      await cleanup?.();
    },
  });
}

async function openTestStorage(existing: string | undefined, options: { storeTtl?: StoreTtl | undefined; now?: (() => Date) | undefined } = {}) {
  if (BACKEND === 'lowdb') {
    const temp = existing ? undefined : makeTempDir();
    const dataDir = existing ?? temp!.dir;
    return { storage: await openFilesStorage(dataDir, options), dataDir, cleanup: temp?.cleanup, cluster: undefined };
  }
  const schema = existing ?? freshSchema();
  const storage = await openPostgresStorage({ ...pgOptions(schema, 10), ...options });
  const cluster = createCluster({ db: storage.db, leaseMs: 5_000, workers: 8, log: silentLogger(), eventRetentionMs: 300_000 });
  return { storage, dataDir: schema, cleanup: existing ? undefined : () => dropSchema(schema), cluster };
}

export const userMessage = (content: string) => ({ messages: [{ role: 'user', content }] });

/** Collects every event of a run's stream. */
export async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const event of events) out.push(event);
  return out;
}
