import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../src/errors.ts';
import { makeNamedGraph } from '../fixtures/graphs/factory.ts';
import { startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';

describe('threads', () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine();
  });
  afterEach(async () => engine.dispose());

  it('creates a thread with metadata and an optional id, and honours if_exists', async () => {
    const id = crypto.randomUUID();
    const thread = await engine.threads.create({ thread_id: id, metadata: { channel: 'general' } });
    expect(thread).toMatchObject({ thread_id: id, status: 'idle', metadata: { channel: 'general' }, values: null, interrupts: {} });
    await expect(engine.threads.create({ thread_id: id })).rejects.toSatisfy((error) => isSwitchboardError(error, 'conflict'));
    expect((await engine.threads.create({ thread_id: id, if_exists: 'do_nothing' })).metadata).toEqual({ channel: 'general' });
    await expect(engine.threads.create({ thread_id: 'not-a-uuid' })).rejects.toSatisfy((error) => isSwitchboardError(error, 'invalid_input'));
  });

  it('merges metadata on update and deletes with its runs and checkpoints', async () => {
    const thread = await engine.threads.create({ metadata: { a: 1 } });
    const updated = await engine.threads.update(thread.thread_id, { metadata: { b: 2 } });
    expect(updated.metadata).toEqual({ a: 1, b: 2 });
    await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('hi') });
    await engine.threads.delete(thread.thread_id);
    await expect(engine.threads.get(thread.thread_id)).rejects.toSatisfy((error) => isSwitchboardError(error, 'not_found'));
    const leftovers = [];
    for await (const tuple of engine.storage.checkpointer.list({ configurable: { thread_id: thread.thread_id } })) leftovers.push(tuple);
    expect(leftovers).toHaveLength(0);
  });

  it('searches and counts by metadata, status and values', async () => {
    const a = await engine.threads.create({ metadata: { team: 'red' } });
    await engine.threads.create({ metadata: { team: 'blue' } });
    await engine.runs.wait(a.thread_id, { assistant_id: 'slow', input: userMessage('findme') });
    const red = await engine.threads.search({ metadata: { team: 'red' } });
    expect(red.items.map((thread) => thread.thread_id)).toEqual([a.thread_id]);
    const idle = await engine.threads.search({ status: 'idle', limit: 100 });
    expect(idle.total).toBe(2);
    const byValues = await engine.threads.search({ values: { steps: ['first:findme'] } });
    expect(byValues.items.map((thread) => thread.thread_id)).toEqual([a.thread_id]);
    const none = await engine.threads.search({ status: 'busy' });
    expect(none.total).toBe(0);
    expect(await engine.threads.count({ metadata: { team: 'blue' } })).toBe(1);
    expect(await engine.threads.count()).toBe(2);
  });

  it('returns the current state with next, tasks and checkpoint, and the state at an older checkpoint', async () => {
    const thread = await engine.threads.create();
    await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('one') });
    const state = await engine.threads.getState(thread.thread_id);
    expect(state.values).toMatchObject({ steps: ['first:one', 'second:one'] });
    expect(state.next).toEqual([]);
    expect(state.checkpoint).toMatchObject({ thread_id: thread.thread_id, checkpoint_ns: '' });
    expect(state.parent_checkpoint?.checkpoint_id).toBeTruthy();

    const older = await engine.threads.getState(thread.thread_id, { checkpoint: { checkpoint_id: state.parent_checkpoint!.checkpoint_id! } });
    expect(older.values).toMatchObject({ steps: ['first:one'] });
    expect(older.next).toEqual(['second']);
  });

  it('updates state as a node and lists history newest first with limit, before and a metadata filter', async () => {
    const thread = await engine.threads.create();
    await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('one') });
    const { checkpoint } = await engine.threads.updateState(thread.thread_id, { values: { steps: ['edited'] }, as_node: 'second' });
    expect(checkpoint.checkpoint_id).toBeTruthy();
    const state = await engine.threads.getState(thread.thread_id);
    expect(state.values.steps).toEqual(['first:one', 'second:one', 'edited']);
    expect(state.metadata.source).toBe('update');

    const history = await engine.threads.history(thread.thread_id, { limit: 10 });
    expect(history[0]!.checkpoint!.checkpoint_id).toBe(checkpoint.checkpoint_id);
    expect(history.map((entry) => entry.metadata.step)).toEqual([...history.map((entry) => entry.metadata.step)].sort((a, b) => Number(b) - Number(a)));
    const limited = await engine.threads.history(thread.thread_id, { limit: 2 });
    expect(limited).toHaveLength(2);
    const before = await engine.threads.history(thread.thread_id, { before: history[1]!.checkpoint!.checkpoint_id!, limit: 10 });
    expect(before[0]!.checkpoint!.checkpoint_id).toBe(history[2]!.checkpoint!.checkpoint_id);
    const updates = await engine.threads.history(thread.thread_id, { metadata: { source: 'update' } });
    expect(updates).toHaveLength(1);
  });

  it("rebuilds a factory graph for a thread with the config of the assistant that ran on it, so its state can be updated as that graph's node", async () => {
    const local = await startTestEngine({ graphs: { named: makeNamedGraph } });
    try {
      const assistant = await local.assistants.create({ graph_id: 'named', config: { configurable: { node_name: 'assistant' } } });
      const thread = await local.threads.create();
      await local.runs.wait(thread.thread_id, { assistant_id: assistant.assistant_id, input: userMessage('hi') });
      await local.threads.updateState(thread.thread_id, { values: { messages: [{ role: 'user', content: 'more' }] }, as_node: 'assistant' });
      const state = await local.threads.getState(thread.thread_id);
      expect((state.values.messages as Array<{ content: string }>).map((message) => message.content)).toEqual(['hi', 'from assistant', 'more']);
    } finally {
      await local.dispose();
    }
  });

  it('refuses a state update while a run is in flight', async () => {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: 'slow', input: userMessage('x'), config: { configurable: { delay_ms: 300 } } });
    await expect(engine.threads.updateState(thread.thread_id, { values: { steps: ['no'] } })).rejects.toSatisfy((error) => isSwitchboardError(error, 'conflict'));
    await engine.runs.join(thread.thread_id, run.run_id);
  });

  it('copies a thread with its state, and the copy continues on its own', async () => {
    const thread = await engine.threads.create({ metadata: { origin: 'x' } });
    await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('one') });
    const copy = await engine.threads.copy(thread.thread_id);
    expect(copy.thread_id).not.toBe(thread.thread_id);
    expect((await engine.threads.getState(copy.thread_id)).values.steps).toEqual(['first:one', 'second:one']);
    await engine.runs.wait(copy.thread_id, { assistant_id: 'slow', input: userMessage('two') });
    expect((await engine.threads.getState(copy.thread_id)).values.steps).toHaveLength(4);
    expect((await engine.threads.getState(thread.thread_id)).values.steps).toHaveLength(2);
  });

  it('gives an empty state for a thread that never ran', async () => {
    const thread = await engine.threads.create();
    const state = await engine.threads.getState(thread.thread_id);
    expect(state).toMatchObject({ values: {}, next: [], checkpoint: null });
    expect(await engine.threads.history(thread.thread_id)).toEqual([]);
  });
});
