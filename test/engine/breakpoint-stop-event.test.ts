import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';
import { askerGraph, slowGraph } from '../helpers/graphs.ts';

const isStopMarker = (chunk: unknown) => {
  const payload = Array.isArray(chunk) ? chunk[chunk.length - 1] : undefined;
  return payload !== null && typeof payload === 'object' && Object.keys(payload).join() === '__interrupt__';
};

/**
 * The same graph as LangGraph 0.2 streams it: 0.2 ends a stop at a breakpoint without the
 * values chunk `{__interrupt__: []}` that 1.x sends. Only `stream` differs; the state,
 * checkpointer and breakpoints are the real graph's.
 */
function withoutStopMarker<T extends object>(graph: T): T {
  return new Proxy(graph, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key !== 'stream') return typeof value === 'function' ? value.bind(target) : value;
      return async (input: unknown, options: unknown) => {
        const chunks = (await (value as (input: unknown, options: unknown) => Promise<AsyncIterable<unknown>>).call(target, input, options)) as AsyncIterable<unknown>;
        return (async function* () {
          for await (const chunk of chunks) if (!isStopMarker(chunk)) yield chunk;
        })();
      };
    },
  });
}

describe('a stop at a breakpoint is streamed as values {__interrupt__: []}, whatever LangGraph line the graph uses', () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine({
      graphs: { current: slowGraph, older: withoutStopMarker(slowGraph.builder.compile()), olderAsker: withoutStopMarker(askerGraph.builder.compile()) },
    });
  });
  afterEach(async () => engine.dispose());

  const valuesOfStop = async (assistantId: string) => {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: assistantId, input: userMessage('bp'), interrupt_before: ['second'], stream_mode: ['values'] });
    const events = await collect(engine.runs.stream(thread.thread_id, run.run_id));
    expect((await engine.runs.get(thread.thread_id, run.run_id)).status).toBe('interrupted');
    return events.filter((event) => event.event === 'values').map((event) => event.data);
  };

  it('a graph whose LangGraph sends no stop event (0.2) gets it from the run, after its values', async () => {
    const values = await valuesOfStop('older');
    expect(values.at(-1)).toEqual({ __interrupt__: [] });
    expect(values.at(-2)).toMatchObject({ steps: ['first:bp'] });
  });

  it('a graph whose LangGraph sends it (1.x) streams it once, not a second time from the run', async () => {
    const values = await valuesOfStop('current');
    expect(values.filter((data) => isStopMarker([data]))).toHaveLength(1);
    expect(values.at(-1)).toEqual({ __interrupt__: [] });
  });

  it('a run that ends, or waits on interrupt(), gets no breakpoint event', async () => {
    const thread = await engine.threads.create();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: 'older', input: userMessage('all'), stream_mode: ['values'] });
    const events = await collect(engine.runs.stream(thread.thread_id, run.run_id));
    expect(events.some((event) => event.event === 'values' && isStopMarker([event.data]))).toBe(false);
    expect(events.at(-1)?.data).toMatchObject({ steps: ['first:all', 'second:all'] });

    const asked = await engine.threads.create();
    const asking = await engine.runs.create(asked.thread_id, { assistant_id: 'olderAsker', input: userMessage('q'), stream_mode: ['values'] });
    const askingEvents = await collect(engine.runs.stream(asked.thread_id, asking.run_id));
    expect((await engine.runs.get(asked.thread_id, asking.run_id)).status).toBe('interrupted');
    expect(askingEvents.some((event) => event.event === 'values' && isStopMarker([event.data]))).toBe(false);
  });
});
