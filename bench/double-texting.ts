import { createEngine } from '../src/engine/engine.ts';
import { GraphRegistry } from '../src/engine/graphs.ts';
import { silentLogger } from '../src/log.ts';
import { openFilesStorage } from '../src/storage/files/index.ts';
import type { MultitaskStrategy } from '../src/storage/types.ts';
import { slowGraph } from '../test/helpers/graphs.ts';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';
import { fmt, median, percentile, printTable } from './stats.ts';

const ROUNDS = 200;

/**
 * From the arrival of an `interrupt` or `rollback` run to (a) the stop of the run in
 * flight (its outcome is stored) and (b) the start of the new run (its first event).
 * The run in flight is inside a long model-like wait when the new message arrives.
 */
export async function benchDoubleTexting(): Promise<void> {
  const temp = makeTempDir('switchboard-bench-');
  const storage = await openFilesStorage(temp.dir);
  const graphs = GraphRegistry.fromGraphs({ slow: slowGraph }, { checkpointer: storage.checkpointer, store: storage.store });
  const engine = createEngine({ storage, graphs, log: silentLogger(), workers: 8 });
  await engine.start();
  const rows: Array<[string, string]> = [];
  try {
    for (const strategy of ['interrupt', 'rollback'] as MultitaskStrategy[]) {
      const stops: number[] = [];
      const starts: number[] = [];
      for (let round = 0; round < ROUNDS + 10; round += 1) {
        const thread = await engine.threads.create();
        const first = await engine.runs.create(thread.thread_id, {
          assistant_id: 'slow',
          input: { messages: [{ role: 'user', content: 'first' }] },
          stream_mode: ['updates'],
          config: { configurable: { delay_ms: 10_000 } },
        });
        // Wait until the first run is inside its long second step.
        for await (const event of engine.runs.stream(thread.thread_id, first.run_id)) {
          if (event.event === 'updates' && 'first' in (event.data as object)) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
        const arrival = performance.now();
        let stopped = 0;
        const stopping = engine.runs.join(thread.thread_id, first.run_id).then(() => (stopped = performance.now()));
        const second = await engine.runs.create(thread.thread_id, {
          assistant_id: 'slow',
          input: { messages: [{ role: 'user', content: 'second' }] },
          multitask_strategy: strategy,
        });
        let started = 0;
        for await (const event of engine.runs.stream(thread.thread_id, second.run_id)) {
          if (started === 0) started = performance.now();
          void event;
        }
        await stopping;
        if (round >= 10) {
          stops.push(stopped - arrival);
          starts.push(started - arrival);
        }
      }
      rows.push([`${strategy}: first run stopped`, `median ${fmt(median(stops))} ms, p99 ${fmt(percentile(stops, 99))} ms`]);
      rows.push([`${strategy}: new run started`, `median ${fmt(median(starts))} ms, p99 ${fmt(percentile(starts, 99))} ms`]);
    }
  } finally {
    await engine.stop();
    temp.cleanup();
  }
  rows.push(['JS reference server, measured by the issue', 'stop 14 ms, new run start 38 ms (target here: < 5 ms and < 10 ms)']);
  printTable(`Double-texting latency (${ROUNDS} rounds per strategy, from the new run's arrival)`, rows);
}
