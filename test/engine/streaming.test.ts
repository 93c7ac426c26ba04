import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StreamMode } from '../../src/engine/requests/runs.ts';
import type { RunEvent } from '../../src/engine/stream.ts';
import { collect, startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';

describe('stream modes', () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine();
  });
  afterEach(async () => engine.dispose());

  async function streamOf(assistant: string, modes: StreamMode[], extra: Record<string, unknown> = {}): Promise<RunEvent[]> {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: assistant, input: userMessage('hello world'), stream_mode: modes, ...extra });
    return collect(engine.runs.stream(thread.thread_id, run.run_id));
  }
  const named = (events: RunEvent[], name: string) => events.filter((event) => event.event === name);

  it('values: the full state after each step', async () => {
    const values = named(await streamOf('slow', ['values']), 'values');
    expect(values.map((event) => (event.data as { steps: string[] }).steps)).toEqual([[], ['first:hello world'], ['first:hello world', 'second:hello world']]);
  });

  it('updates: what each node returned, keyed by node', async () => {
    const updates = named(await streamOf('slow', ['updates']), 'updates');
    expect(updates.map((event) => Object.keys(event.data as object))).toEqual([['first'], ['second']]);
    expect(updates[0]!.data).toEqual({ first: { steps: ['first:hello world'] } });
  });

  it('messages-tuple: token chunks of the model, each with its metadata, as event "messages"', async () => {
    const messages = named(await streamOf('chat', ['messages-tuple']), 'messages');
    expect(messages.length).toBeGreaterThan(5);
    const [chunk, metadata] = messages[0]!.data as [{ content: string; type: string; id: string }, Record<string, unknown>];
    expect(chunk).toMatchObject({ type: 'ai', content: 'You ' });
    expect(metadata).toMatchObject({ langgraph_node: 'respond' });
    const text = messages.map((event) => (event.data as [{ content: string }])[0].content).join('');
    expect(text).toMatch(/^You said: "hello world"\./);
    expect(new Set(messages.map((event) => (event.data as [{ id: string }])[0].id)).size).toBe(1);
  });

  it('messages: metadata once, growing partials, and the completed message', async () => {
    const events = await streamOf('chat', ['messages']);
    const metadata = named(events, 'messages/metadata');
    const partials = named(events, 'messages/partial');
    const complete = named(events, 'messages/complete');
    expect(metadata).toHaveLength(1);
    expect(partials.length).toBeGreaterThan(5);
    const contents = partials.map((event) => (event.data as Array<{ content: string }>)[0]!.content);
    for (let i = 1; i < contents.length; i += 1) expect(contents[i]!.startsWith(contents[i - 1]!)).toBe(true);
    expect(complete).toHaveLength(1);
    const final = (complete[0]!.data as Array<{ content: string; type: string }>)[0]!;
    expect(final.type).toBe('ai');
    expect(final.content).toBe(contents.at(-1));
  });

  it('custom: what nodes write with config.writer', async () => {
    const custom = named(await streamOf('custom', ['custom']), 'custom');
    expect(custom.map((event) => event.data)).toEqual([{ progress: 50 }, { progress: 100 }]);
  });

  it('events: LangChain callback events of the nodes and the model', async () => {
    const events = named(await streamOf('chat', ['events']), 'events');
    const kinds = new Set(events.map((event) => (event.data as { event: string }).event));
    expect(kinds).toContain('on_chain_start');
    expect(kinds).toContain('on_chat_model_stream');
    expect(kinds).toContain('on_chain_end');
  });

  it('debug, tasks and checkpoints: steps, task starts and results, and checkpoints in the Platform shape', async () => {
    const events = await streamOf('slow', ['debug', 'tasks', 'checkpoints']);
    const debugTypes = named(events, 'debug').map((event) => (event.data as { type: string }).type);
    expect(debugTypes).toContain('checkpoint');
    expect(debugTypes).toContain('task');
    expect(debugTypes).toContain('task_result');
    const tasks = named(events, 'tasks').map((event) => event.data as { name: string; result?: unknown });
    expect(tasks.filter((task) => 'result' in task).map((task) => task.name)).toEqual(['first', 'second']);
    const checkpoints = named(events, 'checkpoints').map((event) => event.data as Record<string, unknown>);
    // Input (step -1), after __start__ (0), after first (1), after second (2).
    expect(checkpoints.map((checkpoint) => (checkpoint.metadata as { step: number }).step)).toEqual([-1, 0, 1, 2]);
    const last = checkpoints.at(-1)!;
    expect(last.checkpoint).toMatchObject({ checkpoint_ns: '', checkpoint_id: expect.any(String) });
    expect(last.values).toMatchObject({ steps: ['first:hello world', 'second:hello world'] });
    const configurable = (last.config as { configurable: Record<string, unknown> }).configurable;
    expect(Object.keys(configurable).some((key) => key.startsWith('__'))).toBe(false);
    expect(last.config).not.toHaveProperty('callbacks');
  });

  it('several modes at once arrive interleaved in execution order', async () => {
    const events = await streamOf('slow', ['updates', 'values']);
    expect(events.map((event) => event.event)).toEqual(['metadata', 'values', 'updates', 'values', 'updates', 'values']);
  });

  it('subgraph events carry their namespace when subgraphs are requested', async () => {
    const withSubgraphs = await streamOf('nested', ['updates'], { stream_subgraphs: true });
    const names = withSubgraphs.map((event) => event.event);
    expect(names).toContain('updates');
    expect(names.some((name) => /^updates\|child:[0-9a-f-]+$/.test(name))).toBe(true);
    const without = await streamOf('nested', ['updates']);
    expect(without.every((event) => !event.event.includes('|'))).toBe(true);
  });

  it('stream_subgraphs works together with values (a known crash of the JS reference server)', async () => {
    const events = await streamOf('nested', ['values', 'updates'], { stream_subgraphs: true });
    expect(events.some((event) => event.event === 'error')).toBe(false);
    const finalSteps = (named(events, 'values').at(-1)!.data as { steps: string[] }).steps;
    expect(finalSteps.at(-1)).toBe('inner');
    expect(events.some((event) => event.event.startsWith('values|child:'))).toBe(true);
  });
});
