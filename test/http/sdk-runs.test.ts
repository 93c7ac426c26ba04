import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userMessage } from '../helpers/engine.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Event = { id?: string; event: string; data: unknown };
async function collect(stream: AsyncIterable<Event>): Promise<Event[]> {
  const out: Event[] = [];
  for await (const event of stream) out.push(event);
  return out;
}
const humans = (values: unknown) =>
  ((values as { messages?: Array<{ type: string; content: string }> }).messages ?? []).filter((message) => message.type === 'human').map((message) => message.content);

/** Runs through the official @langchain/langgraph-sdk client. */
describe('Platform API through the official SDK: runs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.dispose());

  it('creates a background run, reports it through onRunCreated, and joins it', async () => {
    const { client } = server;
    const thread = await client.threads.create();
    let created: { run_id: string; thread_id?: string } | undefined;
    const run = await client.runs.create(thread.thread_id, 'slow', { input: userMessage('bg'), onRunCreated: (meta) => (created = meta) });
    expect(run.status).toBe('pending');
    expect(created).toEqual({ run_id: run.run_id, thread_id: thread.thread_id });
    const values = await client.runs.join(thread.thread_id, run.run_id);
    expect(values).toMatchObject({ steps: ['first:bg', 'second:bg'] });
    expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe('success');
    const listed = await client.runs.list(thread.thread_id);
    expect(listed.map((item) => item.run_id)).toEqual([run.run_id]);
    expect(await client.runs.list(thread.thread_id, { status: 'error' })).toEqual([]);
    await client.runs.delete(thread.thread_id, run.run_id);
    await expect(client.runs.get(thread.thread_id, run.run_id)).rejects.toMatchObject({ status: 404 });
  });

  it('waits for the final values; a failed run throws the graph error', async () => {
    const { client } = server;
    const thread = await client.threads.create();
    const values = await client.runs.wait(thread.thread_id, 'chat', { input: userMessage('hello') });
    expect(humans(values)).toEqual(['hello']);
    await expect(client.runs.wait(thread.thread_id, 'failing', { input: userMessage('boom') })).rejects.toThrow('Error: the graph exploded on purpose');
  });

  it('streams every mode the SDK knows, starting with metadata', async () => {
    const { client } = server;
    const thread = await client.threads.create();
    const events = await collect(
      client.runs.stream(thread.thread_id, 'chat', {
        input: userMessage('stream me'),
        streamMode: ['values', 'updates', 'messages-tuple', 'custom', 'debug', 'tasks', 'checkpoints', 'events'],
      }),
    );
    expect(events[0]).toMatchObject({ event: 'metadata', data: { run_id: expect.any(String) } });
    const names = new Set(events.map((event) => event.event));
    for (const name of ['values', 'updates', 'messages', 'debug', 'tasks', 'checkpoints', 'events']) expect(names).toContain(name);
    const tokens = events.filter((event) => event.event === 'messages').map((event) => (event.data as [{ content: string }])[0].content);
    expect(tokens.join('')).toContain('You said: "stream me"');
    const partial = await collect(client.runs.stream(thread.thread_id, 'chat', { input: userMessage('again'), streamMode: 'messages' }));
    expect(partial.some((event) => event.event === 'messages/partial')).toBe(true);
    expect(partial.some((event) => event.event === 'messages/complete')).toBe(true);
  });

  it('streams subgraph events with their namespace', async () => {
    const thread = await server.client.threads.create();
    const events = await collect(server.client.runs.stream(thread.thread_id, 'nested', { input: userMessage('n'), streamMode: ['updates'], streamSubgraphs: true }));
    expect(events.some((event) => event.event.startsWith('updates|child:'))).toBe(true);
  });

  it('joins a stream again from the start, or after a Last-Event-ID, without duplicates', async () => {
    const { client } = server;
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'slow', { input: userMessage('replay'), streamMode: ['updates', 'values'] });
    const all = await collect(client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: '-1' }));
    expect(all.map((event) => event.id)).toEqual(all.map((_event, index) => String(index)));
    const rest = await collect(client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: '2' }));
    expect(rest).toEqual(all.slice(3));
  });

  it('interrupts with interrupt() and resumes through runs.stream with a command', async () => {
    const { client } = server;
    const thread = await client.threads.create();
    const first = await collect(client.runs.stream(thread.thread_id, 'approval', { input: userMessage('ship it'), streamMode: ['updates', 'values'] }));
    const interrupt = first.find((event) => event.event === 'values' && '__interrupt__' in (event.data as object));
    expect(interrupt).toBeDefined();
    const state = await client.threads.getState(thread.thread_id);
    expect(state.next).toEqual(['review']);
    expect(state.tasks[0]!.interrupts[0]!.value).toMatchObject({ options: expect.any(Array) });
    expect((await client.threads.get(thread.thread_id)).status).toBe('interrupted');
    const resumed = await collect(client.runs.stream(thread.thread_id, 'approval', { command: { resume: 'approve' }, streamMode: ['updates'] }));
    expect(resumed.filter((event) => event.event === 'updates').map((event) => Object.keys(event.data as object)[0])).toEqual(['review', 'act']);
    expect((await client.threads.get(thread.thread_id)).status).toBe('idle');
  });

  it('runs stateless: stream, wait, background and a batch', async () => {
    const { client } = server;
    const streamed = await collect(client.runs.stream(null, 'slow', { input: userMessage('s'), streamMode: 'values' }));
    expect(streamed.at(-1)!.data).toMatchObject({ steps: ['first:s', 'second:s'] });
    expect(await client.runs.wait(null, 'slow', { input: userMessage('w') })).toMatchObject({ steps: ['first:w', 'second:w'] });
    let created: { run_id: string } | undefined;
    const background = await client.runs.create(null, 'slow', { input: userMessage('b'), onRunCreated: (meta) => (created = meta) });
    expect(created?.run_id).toBe(background.run_id);
    const joined = await collect(client.runs.joinStream(null, background.run_id, { lastEventId: '-1' }));
    expect(joined.at(-1)).toMatchObject({ event: 'values' });
    const batch = await client.runs.createBatch([
      { assistantId: 'slow', input: userMessage('x1') },
      { assistantId: 'slow', input: userMessage('x2'), streamMode: 'updates' } as never,
    ]);
    expect(batch).toHaveLength(2);
    for (const run of batch) expect((await server.engine.runs.join(run.thread_id, run.run_id)).status).toBe('success');
  });

  it('cancels a running run with interrupt or rollback', async () => {
    const { client, engine } = server;
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'slow', { input: userMessage('c'), config: { configurable: { delay_ms: 10_000 } } });
    await waitForStep(server, thread.thread_id);
    await client.runs.cancel(thread.thread_id, run.run_id, true, 'interrupt');
    expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe('interrupted');
    const rolled = await client.runs.create(thread.thread_id, 'slow', { input: userMessage('r'), config: { configurable: { delay_ms: 10_000 } } });
    await waitForStep(server, thread.thread_id, 'first:r');
    await client.runs.cancel(thread.thread_id, rolled.run_id, true, 'rollback');
    await expect(client.runs.get(thread.thread_id, rolled.run_id)).rejects.toMatchObject({ status: 404 });
    expect((await client.threads.getState(thread.thread_id)).values).toMatchObject({ steps: ['first:c'] });
    expect(await engine.runs.inflight(thread.thread_id)).toEqual([]);
  });

  describe('every multitask strategy, with the first run already started', () => {
    async function startedRun(text: string) {
      const thread = await server.client.threads.create();
      const first = await server.client.runs.create(thread.thread_id, 'slow', { input: userMessage(text), config: { configurable: { delay_ms: 400 } } });
      await waitForStep(server, thread.thread_id, `first:${text}`);
      return { threadId: thread.thread_id, first };
    }

    it('reject answers 409 naming the run in flight, and the first run finishes', async () => {
      const { threadId, first } = await startedRun('a');
      const error = await server.client.runs.create(threadId, 'slow', { input: userMessage('b'), multitaskStrategy: 'reject' }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 409 });
      expect(String((error as Error).message)).toContain(first.run_id);
      expect(await server.client.runs.join(threadId, first.run_id)).toMatchObject({ steps: ['first:a', 'second:a'] });
    });

    it('enqueue runs the second after the first', async () => {
      const { threadId, first } = await startedRun('a');
      const second = await server.client.runs.create(threadId, 'slow', { input: userMessage('b'), multitaskStrategy: 'enqueue' });
      const values = await server.client.runs.join(threadId, second.run_id);
      expect(values).toMatchObject({ steps: ['first:a', 'second:a', 'first:b', 'second:b'] });
      expect((await server.client.runs.get(threadId, first.run_id)).status).toBe('success');
    });

    it('interrupt stops the first (kept as far as it got) and runs the second', async () => {
      const { threadId, first } = await startedRun('a');
      const values = await server.client.runs.wait(threadId, 'slow', { input: userMessage('b'), multitaskStrategy: 'interrupt' });
      expect(values).toMatchObject({ steps: ['first:a', 'first:b', 'second:b'] });
      expect((await server.client.runs.get(threadId, first.run_id)).status).toBe('interrupted');
    });

    it('rollback erases the first and runs the second', async () => {
      const { threadId, first } = await startedRun('a');
      const values = await server.client.runs.wait(threadId, 'slow', { input: userMessage('b'), multitaskStrategy: 'rollback' });
      expect(values).toMatchObject({ steps: ['first:b', 'second:b'] });
      expect(humans(values)).toEqual(['b']);
      await expect(server.client.runs.get(threadId, first.run_id)).rejects.toMatchObject({ status: 404 });
    });
  });
});

async function waitForStep(server: TestServer, threadId: string, step?: string) {
  for (let i = 0; i < 500; i += 1) {
    const steps = ((await server.client.threads.getState(threadId)).values as { steps?: string[] }).steps ?? [];
    if (step ? steps.includes(step) : steps.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`step ${step ?? 'any'} never happened`);
}
