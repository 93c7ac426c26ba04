import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../src/errors.ts';
import { collect, startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';

describe('runs', () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine({ streamRetentionSeconds: 60 });
  });
  afterEach(async () => engine.dispose());

  it('a background run returns at once as pending and ends success; join gives its final values', async () => {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: 'slow', input: userMessage('bg'), config: { configurable: { delay_ms: 50 } } });
    expect(run.status).toBe('pending');
    expect((await engine.threads.get(thread.thread_id)).status).toBe('busy');
    const outcome = await engine.runs.join(thread.thread_id, run.run_id);
    expect(outcome.status).toBe('success');
    expect(outcome.values).toMatchObject({ steps: ['first:bg', 'second:bg'] });
    expect((await engine.runs.get(thread.thread_id, run.run_id)).status).toBe('success');
    const after = await engine.threads.get(thread.thread_id);
    expect(after.status).toBe('idle');
    expect(after.values).toMatchObject({ steps: ['first:bg', 'second:bg'] });
  });

  it('wait returns the final values of the thread', async () => {
    const thread = await engine.threads.create();
    const { run, outcome } = await engine.runs.wait(thread.thread_id, { assistant_id: 'chat', input: userMessage('hello') });
    expect(run.thread_id).toBe(thread.thread_id);
    const messages = outcome.values!.messages as Array<{ type: string; content: string }>;
    expect(messages.map((message) => message.type)).toEqual(['human', 'ai']);
    expect(messages[1]!.content).toContain('You said: "hello"');
  });

  it('a stream starts with a metadata event carrying the run id, and ends cleanly', async () => {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: 'slow', input: userMessage('s'), stream_mode: ['values', 'updates'] });
    const events = await collect(engine.runs.stream(thread.thread_id, run.run_id));
    expect(events[0]).toEqual({ id: '0', event: 'metadata', data: { run_id: run.run_id, attempt: 1 } });
    expect(events.map((event) => event.event)).toEqual(['metadata', 'values', 'updates', 'values', 'updates', 'values']);
    expect(events.map((event) => event.id)).toEqual(events.map((_event, index) => String(index)));
  });

  it('joining a stream again replays it from the start, or from after a given event id', async () => {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: 'slow', input: userMessage('r'), stream_mode: ['updates'] });
    const first = await collect(engine.runs.stream(thread.thread_id, run.run_id));
    const again = await collect(engine.runs.stream(thread.thread_id, run.run_id));
    expect(again).toEqual(first);
    const resumed = await collect(engine.runs.stream(thread.thread_id, run.run_id, { lastEventId: '1' }));
    expect(resumed).toEqual(first.slice(2));
    const fromMinusOne = await collect(engine.runs.stream(thread.thread_id, run.run_id, { lastEventId: '-1' }));
    expect(fromMinusOne).toEqual(first);
  });

  it('a live subscriber sees events as they are produced, before the run ends', async () => {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, {
      assistant_id: 'slow',
      input: userMessage('live'),
      stream_mode: ['updates'],
      config: { configurable: { delay_ms: 300 } },
    });
    const seen: string[] = [];
    for await (const event of engine.runs.stream(thread.thread_id, run.run_id)) {
      if (event.event === 'updates') {
        seen.push(Object.keys(event.data as object)[0]!);
        if (seen.length === 1) expect((await engine.runs.get(thread.thread_id, run.run_id)).status).toBe('running');
      }
    }
    expect(seen).toEqual(['first', 'second']);
  });

  it('a stateless run streams and leaves no thread, run or checkpoint behind', async () => {
    const run = await engine.runs.create(null, { assistant_id: 'slow', input: userMessage('gone'), stream_mode: ['values'] });
    const events = await collect(engine.runs.stream(run.thread_id, run.run_id));
    expect(events.at(-1)).toMatchObject({ event: 'values', data: { steps: ['first:gone', 'second:gone'] } });
    const outcome = await engine.runs.join(run.thread_id, run.run_id);
    expect(outcome.values).toMatchObject({ steps: ['first:gone', 'second:gone'] });
    expect(await engine.threads.find(run.thread_id)).toBeNull();
    expect(await engine.storage.runs.get(run.thread_id, run.run_id)).toBeNull();
    const tuples = [];
    for await (const tuple of engine.storage.checkpointer.list({ configurable: { thread_id: run.thread_id } })) tuples.push(tuple);
    expect(tuples).toHaveLength(0);
  });

  it('a stateless run with on_completion keep keeps its thread', async () => {
    const { run } = await engine.runs.wait(null, { assistant_id: 'slow', input: userMessage('kept'), on_completion: 'keep' });
    const thread = await engine.threads.get(run.thread_id);
    expect(thread.values).toMatchObject({ steps: ['first:kept', 'second:kept'] });
  });

  it('per-run config and context override the assistant, and the graph sees the run ids', async () => {
    const assistant = await engine.assistants.create({
      graph_id: 'echo',
      name: 'echoer',
      config: { configurable: { style: 'formal', tone: 'calm' }, tags: ['assistant-tag'] },
      context: { region: 'eu', tier: 'free' },
    });
    const thread = await engine.threads.create();
    const { run, outcome } = await engine.runs.wait(thread.thread_id, {
      assistant_id: assistant.assistant_id,
      input: userMessage('?'),
      config: { configurable: { tone: 'cheerful' } },
      context: { tier: 'pro' },
    });
    const messages = outcome.values!.messages as Array<{ content: string }>;
    const seen = JSON.parse(messages.at(-1)!.content);
    expect(seen).toMatchObject({
      style: 'formal',
      tone: 'cheerful',
      graph_id: 'echo',
      assistant_id: assistant.assistant_id,
      run_id: run.run_id,
      context: { region: 'eu', tier: 'pro' },
      tags: ['assistant-tag'],
    });
  });

  it('keeps run metadata and writes the run id into the checkpoints it creates', async () => {
    const thread = await engine.threads.create();
    const { run } = await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('m'), metadata: { source_channel: 'C1' } });
    expect((await engine.runs.get(thread.thread_id, run.run_id)).metadata).toEqual({ source_channel: 'C1' });
    const history = await engine.threads.history(thread.thread_id, { metadata: { run_id: run.run_id } });
    expect(history.length).toBeGreaterThan(0);
    expect(history[0]!.metadata).toMatchObject({ run_id: run.run_id, source_channel: 'C1', graph_id: 'slow' });
  });

  it('lists runs newest first, filters by status, and deletes a run', async () => {
    const thread = await engine.threads.create();
    const first = (await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('1') })).run;
    const second = (await engine.runs.wait(thread.thread_id, { assistant_id: 'failing', input: userMessage('2') })).run;
    const all = await engine.runs.list(thread.thread_id);
    expect(all.map((run) => run.run_id)).toEqual([second.run_id, first.run_id]);
    expect((await engine.runs.list(thread.thread_id, { status: 'error' })).map((run) => run.run_id)).toEqual([second.run_id]);
    expect(await engine.runs.list(thread.thread_id, { limit: 1, offset: 1 })).toHaveLength(1);
    await engine.runs.delete(thread.thread_id, first.run_id);
    await expect(engine.runs.get(thread.thread_id, first.run_id)).rejects.toSatisfy((error) => isSwitchboardError(error, 'not_found'));
  });

  it('a graph error becomes an error event, run status error with the message, and thread status error', async () => {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: 'failing', input: userMessage('boom') });
    const events = await collect(engine.runs.stream(thread.thread_id, run.run_id));
    expect(events.at(-1)).toEqual({ id: String(events.length - 1), event: 'error', data: { error: 'Error', message: 'the graph exploded on purpose' } });
    const stored = await engine.runs.get(thread.thread_id, run.run_id);
    expect(stored).toMatchObject({ status: 'error', error: 'the graph exploded on purpose' });
    const outcome = await engine.runs.join(thread.thread_id, run.run_id);
    expect(outcome.error).toEqual({ error: 'Error', message: 'the graph exploded on purpose' });
    expect((await engine.threads.get(thread.thread_id)).status).toBe('error');
    // The thread is usable again afterwards.
    const next = await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('again') });
    expect(next.outcome.status).toBe('success');
    expect((await engine.threads.get(thread.thread_id)).status).toBe('idle');
  });

  it('interrupt_before and interrupt_after stop the run at a breakpoint, and a run with no input continues it', async () => {
    const thread = await engine.threads.create();
    const before = await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('bp'), interrupt_before: ['second'] });
    expect(before.outcome.status).toBe('interrupted');
    expect((await engine.threads.getState(thread.thread_id)).next).toEqual(['second']);
    expect((await engine.threads.get(thread.thread_id)).status).toBe('interrupted');
    const resumed = await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: null });
    expect(resumed.outcome).toMatchObject({ status: 'success', values: { steps: ['first:bp', 'second:bp'] } });

    const other = await engine.threads.create();
    const after = await engine.runs.wait(other.thread_id, { assistant_id: 'slow', input: userMessage('ia'), interrupt_after: '*' });
    expect(after.outcome.status).toBe('interrupted');
    expect((await engine.threads.getState(other.thread_id)).next).toEqual(['second']);
  });

  it('a run past its time limit ends with status timeout and leaves the thread usable', async () => {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, {
      assistant_id: 'slow',
      input: userMessage('late'),
      timeout_seconds: 0.1,
      config: { configurable: { delay_ms: 5_000 } },
    });
    const outcome = await engine.runs.join(thread.thread_id, run.run_id);
    expect(outcome.status).toBe('timeout');
    expect(outcome.error?.error).toBe('TimeoutError');
    expect((await engine.runs.get(thread.thread_id, run.run_id)).status).toBe('timeout');
    const next = await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('next') });
    expect(next.outcome.status).toBe('success');
  });

  it('refuses bad requests with a clear error and stores nothing', async () => {
    const thread = await engine.threads.create();
    const refuse = (payload: Record<string, unknown>, code: string) =>
      expect(engine.runs.create(thread.thread_id, payload as never)).rejects.toSatisfy((error) => isSwitchboardError(error, code as never));
    await refuse({ assistant_id: 'no-such-assistant' }, 'not_found');
    await refuse({ assistant_id: 'slow', stream_mode: ['values', 'telepathy'] }, 'invalid_input');
    await refuse({ assistant_id: 'slow', input: { a: 1 }, command: { resume: 1 } }, 'invalid_input');
    await refuse({ assistant_id: 'slow', multitask_strategy: 'ignore' }, 'invalid_input');
    await expect(engine.runs.create(crypto.randomUUID(), { assistant_id: 'slow' })).rejects.toSatisfy((error) => isSwitchboardError(error, 'not_found'));
    expect(await engine.runs.list(thread.thread_id)).toEqual([]);
  });

  it('creates the thread when if_not_exists is create', async () => {
    const threadId = crypto.randomUUID();
    const { outcome } = await engine.runs.wait(threadId, { assistant_id: 'slow', input: userMessage('new'), if_not_exists: 'create' });
    expect(outcome.status).toBe('success');
    expect((await engine.threads.get(threadId)).metadata).toMatchObject({ graph_id: 'slow' });
  });
});
