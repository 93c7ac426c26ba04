import { HumanMessage } from '@langchain/core/messages';
import { MemorySaver } from '@langchain/langgraph';
import { createEngine, type Engine } from '../src/engine/engine.ts';
import { GraphRegistry } from '../src/engine/graphs.ts';
import { graph as chat } from '../src/graphs/chat.ts';
import { configureChatModel } from '../src/graphs/models/chat-model.ts';
import { silentLogger } from '../src/log.ts';
import { openFilesStorage } from '../src/storage/files/index.ts';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';
import { twoNodeGraph } from './graphs.ts';
import { fmt, median, printTable, sampleSequential } from './stats.ts';

const REPS = 5;

async function withEngine<T>(workers: number, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const temp = makeTempDir('switchboard-bench-');
  const storage = await openFilesStorage(temp.dir);
  configureChatModel({ provider: 'offline', token_delay_ms: 0 });
  const graphs = GraphRegistry.fromGraphs({ counter: twoNodeGraph(), chat }, { checkpointer: storage.checkpointer, store: storage.store });
  const engine = createEngine({ storage, graphs, log: silentLogger(), workers });
  await engine.start();
  try {
    return await fn(engine);
  } finally {
    await engine.stop();
    temp.cleanup();
  }
}

/** Per-run time: engine `runs.wait` on one thread vs bare `graph.invoke` with MemorySaver. */
export async function benchPerRun(): Promise<void> {
  const runsPerRep = 200;
  const bareMedians: number[] = [];
  const engineMedians: number[] = [];
  for (let rep = 0; rep < REPS; rep += 1) {
    const graph = twoNodeGraph();
    graph.checkpointer = new MemorySaver();
    const config = { configurable: { thread_id: `bare-${rep}` } };
    await graph.invoke({ count: 0 }, config); // warm-up
    bareMedians.push(median(await sampleSequential(runsPerRep, () => graph.invoke({ count: 0 }, config))));

    engineMedians.push(
      await withEngine(8, async (engine) => {
        const thread = await engine.threads.create();
        await engine.runs.wait(thread.thread_id, { assistant_id: 'counter', input: { count: 0 } });
        return median(await sampleSequential(runsPerRep, () => engine.runs.wait(thread.thread_id, { assistant_id: 'counter', input: { count: 0 } })));
      }),
    );
  }
  const bare = median(bareMedians);
  const engine = median(engineMedians);
  printTable(`Per run, trivial two-node graph (${runsPerRep} sequential runs on one thread, median of ${REPS} repetitions)`, [
    ['bare graph.invoke + MemorySaver', `${fmt(bare)} ms`],
    ['engine runs.wait (lowdb, durable)', `${fmt(engine)} ms`],
    ['ratio engine / bare', `${(engine / bare).toFixed(2)}x`],
  ]);
}

/** The in-process floor for the HTTP figures: median engine `runs.wait` on one thread. */
export async function benchFloorPerRun(runs: number): Promise<number> {
  return withEngine(8, async (engine) => {
    const thread = await engine.threads.create();
    for (let i = 0; i < 20; i += 1) await engine.runs.wait(thread.thread_id, { assistant_id: 'counter', input: { count: 0 } });
    return median(await sampleSequential(runs, () => engine.runs.wait(thread.thread_id, { assistant_id: 'counter', input: { count: 0 } })));
  });
}

/** Throughput: 16 threads, each running turns back to back, all at once. */
export async function benchThroughput(): Promise<void> {
  const threads = 16;
  const turns = 25;
  const rates: number[] = [];
  for (let rep = 0; rep < REPS; rep += 1) {
    rates.push(
      await withEngine(threads, async (engine) => {
        const ids = await Promise.all(Array.from({ length: threads }, async () => (await engine.threads.create()).thread_id));
        const start = performance.now();
        await Promise.all(
          ids.map(async (threadId) => {
            for (let turn = 0; turn < turns; turn += 1) await engine.runs.wait(threadId, { assistant_id: 'counter', input: { count: 0 } });
          }),
        );
        return (threads * turns) / ((performance.now() - start) / 1000);
      }),
    );
  }
  printTable(`Throughput, ${threads} concurrent threads x ${turns} turns (median of ${REPS})`, [['runs per second', median(rates).toFixed(0)]]);
}

/** Time from creating a streamed run to its first model token (offline model, no delay). */
export async function benchFirstToken(): Promise<void> {
  const samples: number[] = [];
  await withEngine(8, async (engine) => {
    const thread = await engine.threads.create();
    for (let i = 0; i < 60; i += 1) {
      const start = performance.now();
      const run = await engine.runs.create(thread.thread_id, {
        assistant_id: 'chat',
        input: { messages: [new HumanMessage(`message ${i}`)] },
        stream_mode: ['messages-tuple'],
      });
      let first = 0;
      for await (const event of engine.runs.stream(thread.thread_id, run.run_id)) {
        if (first === 0 && event.event === 'messages') first = performance.now() - start;
      }
      if (i >= 10) samples.push(first); // the first runs warm up the model and the JIT
    }
  });
  printTable('Time to first streamed token (chat graph, offline model, 50 runs on one thread)', [['median', `${fmt(median(samples))} ms`]]);
}
