import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/stream.ts';
import type { PostgresStorage } from '../../src/storage/postgres/index.ts';
import { collect, startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';

const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe("a finished run's stream once its events are out of memory", () => {
  let engine: TestEngine | undefined;
  afterEach(async () => engine?.dispose());

  // A budget of 0 bytes: every finished run's log leaves memory the moment the run ends.
  const finishedRun = async (assistant: string) => {
    engine = await startTestEngine({ streamMemoryBytes: 0 });
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: assistant, input: userMessage('hello'), stream_mode: ['values', 'updates'] });
    const live = await collect(engine.runs.stream(thread.thread_id, run.run_id));
    await engine.runs.join(thread.thread_id, run.run_id);
    expect(engine.broker.has(run.run_id)).toBe(false);
    const joined = await collect(engine.runs.stream(thread.thread_id, run.run_id));
    return { engine, thread, live, joined };
  };

  it('joining it answers the final values (on PostgreSQL: its events, read back from the database)', async () => {
    const { engine, thread, live, joined } = await finishedRun('slow');
    expect(live.map((event) => event.event)).toContain('updates');
    if (engine.scheduler.shared) {
      expect(json(joined)).toEqual(json(live));
      return;
    }
    const values = (await engine.threads.get(thread.thread_id)).values;
    expect((values as { steps: string[] }).steps).toEqual(['first:hello', 'second:hello']);
    expect(json(joined)).toEqual([{ id: 'final', event: 'values', data: json(values) }]);
  });

  it('joining a failed one answers its error', async () => {
    const { engine, live, joined } = await finishedRun('failing');
    if (engine.scheduler.shared) {
      expect(json(joined)).toEqual(json(live));
      return;
    }
    expect(joined).toHaveLength(1);
    const [only] = joined as [RunEvent];
    expect(only).toMatchObject({ id: 'final', event: 'error' });
    expect((only.data as { message: string }).message).toMatch(/exploded on purpose/);
  });

  it('a client resuming after an event it saw gets the final values too, not an empty stream (on PostgreSQL: the events after it)', async () => {
    const { engine, thread, live } = await finishedRun('slow');
    const runId = (await engine.runs.list(thread.thread_id))[0]!.run_id;
    const resumed = await collect(engine.runs.stream(thread.thread_id, runId, { lastEventId: live[1]!.id }));
    if (engine.scheduler.shared) expect(json(resumed)).toEqual(json(live.slice(2)));
    else expect(resumed.map((event) => [event.id, event.event])).toEqual([['final', 'values']]);
  });

  it.skipIf(process.env.TEST_ENGINE_BACKEND !== 'postgres')(
    'on PostgreSQL, once the database has swept its events too, joining answers the final values instead of waiting for ever',
    async () => {
      const { engine, thread } = await finishedRun('slow');
      const runId = (await engine.runs.list(thread.thread_id))[0]!.run_id;
      // What the sweep does past stream_retention_seconds.
      await (engine.storage as PostgresStorage).db.query('DELETE FROM sb_run_events WHERE run_id = $1', [runId]);
      const joined = await collect(engine.runs.stream(thread.thread_id, runId));
      const values = (await engine.threads.get(thread.thread_id)).values;
      expect(json(joined)).toEqual([{ id: 'final', event: 'values', data: json(values) }]);
    },
  );

  it('releaseMemory (the server gone quiet) drops finished logs as the budget does; the thread carries on from storage', async () => {
    engine = await startTestEngine();
    const thread = await engine.threads.create();
    const first = await engine.runs.create(thread.thread_id, { assistant_id: 'slow', input: userMessage('one'), stream_mode: ['values'] });
    await engine.runs.join(thread.thread_id, first.run_id);
    expect(engine.broker.has(first.run_id)).toBe(true);
    engine.releaseMemory();
    expect(engine.broker.has(first.run_id)).toBe(false);
    const joined = await collect(engine.runs.stream(thread.thread_id, first.run_id));
    const values = (await engine.threads.get(thread.thread_id)).values;
    if (!engine.scheduler.shared) expect(json(joined)).toEqual([{ id: 'final', event: 'values', data: json(values) }]);
    // The thread's journal was closed: the next run reads it again and goes on from its state.
    await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('two') });
    const after = (await engine.threads.get(thread.thread_id)).values as { steps: string[] };
    expect(after.steps).toEqual([...(values as { steps: string[] }).steps, 'first:two', 'second:two']);
  });
});
