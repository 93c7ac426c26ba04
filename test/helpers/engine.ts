import { createEngine, type Engine, type EngineOptions } from '../../src/engine/engine.ts';
import { GraphRegistry } from '../../src/engine/graphs.ts';
import { graph as approval } from '../../src/graphs/approval.ts';
import { graph as chat } from '../../src/graphs/chat.ts';
import { graph as writer } from '../../src/graphs/writer.ts';
import { silentLogger } from '../../src/log.ts';
import { openLowdbStorage } from '../../src/storage/lowdb/index.ts';
import { testGraphs } from './graphs.ts';
import { makeTempDir } from './tmp-dir.ts';

export const exampleGraphs = { chat, writer, approval };

export interface TestEngine extends Engine {
  dataDir: string;
  /** Stops the engine and removes its data folder. */
  dispose(): Promise<void>;
}

/** An engine on a fresh lowdb folder with the example and test graphs. */
export async function startTestEngine(
  options: Partial<Omit<EngineOptions, 'storage' | 'graphs' | 'log'>> & { dataDir?: string; graphs?: Record<string, unknown> } = {},
): Promise<TestEngine> {
  const temp = options.dataDir ? undefined : makeTempDir();
  const dataDir = options.dataDir ?? temp!.dir;
  const storage = await openLowdbStorage(dataDir);
  const graphs = GraphRegistry.fromGraphs(options.graphs ?? { ...exampleGraphs, ...testGraphs }, {
    checkpointer: storage.checkpointer,
    store: storage.store,
  });
  const engine = createEngine({ cronIntervalMs: 0, ...options, storage, graphs, log: silentLogger() });
  await engine.start();
  let disposed = false;
  return Object.assign(engine, {
    dataDir,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await engine.stop();
      temp?.cleanup();
    },
  });
}

export const userMessage = (content: string) => ({ messages: [{ role: 'user', content }] });

/** Collects every event of a run's stream. */
export async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const event of events) out.push(event);
  return out;
}
