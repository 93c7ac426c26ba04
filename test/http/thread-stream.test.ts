import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const say = (content: string) => ({ messages: [{ role: 'user', content }] });

describe("GET /threads/{id}/stream (the SDK's threads.joinStream)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.dispose());

  /** Reads a thread stream until `enough` says so, then leaves. */
  async function read(
    threadId: string,
    options: { streamMode?: Array<'run_modes' | 'lifecycle' | 'state_update'>; lastEventId?: string },
    enough: (events: Array<{ id?: string; event: string; data: unknown }>) => boolean,
  ) {
    const controller = new AbortController();
    const events: Array<{ id?: string; event: string; data: unknown }> = [];
    const reading = (async () => {
      try {
        for await (const event of server.client.threads.joinStream(threadId, { ...options, signal: controller.signal })) {
          events.push(event as never);
          if (enough(events)) controller.abort();
        }
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      }
    })();
    return { events, reading, stop: () => controller.abort() };
  }

  it('follows every run made on the thread after joining, each ending with run_done, and a reconnect with Last-Event-ID continues', async () => {
    const { client } = server;
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, 'slow', { input: say('before joining') });
    const doneCount = (events: Array<{ event: string }>) => events.filter((event) => event.event === 'run_done').length;
    const joined = await read(thread.thread_id, {}, (events) => doneCount(events) === 2);
    const first = await client.runs.create(thread.thread_id, 'slow', { input: say('one') });
    const second = await client.runs.create(thread.thread_id, 'slow', { input: say('two'), multitaskStrategy: 'enqueue' });
    await joined.reading;
    const done = joined.events.filter((event) => event.event === 'run_done').map((event) => event.data);
    expect(done).toEqual([
      { run_id: first.run_id, thread_id: thread.thread_id, status: 'success' },
      { run_id: second.run_id, thread_id: thread.thread_id, status: 'success' },
    ]);
    // The run from before joining is not replayed; each run's own events come with ids naming the run.
    const metadata = joined.events.filter((event) => event.event === 'metadata').map((event) => (event.data as { run_id: string }).run_id);
    expect(metadata).toEqual([first.run_id, second.run_id]);
    expect(joined.events.every((event) => event.id?.startsWith(`${first.run_id}:`) || event.id?.startsWith(`${second.run_id}:`))).toBe(true);
    expect(joined.events.some((event) => event.event === 'values')).toBe(true);

    // Reconnecting after the first run's done event gives the second run again, not the first.
    const lastOfFirst = joined.events.find((event) => event.event === 'run_done')!.id!;
    const resumed = await read(thread.thread_id, { lastEventId: lastOfFirst }, (events) => doneCount(events) === 1);
    await resumed.reading;
    expect(resumed.events.filter((event) => event.event === 'run_done').map((event) => (event.data as { run_id: string }).run_id)).toEqual([second.run_id]);
  });

  it('lifecycle gives only run_start and run_done; state_update the state after each run; an unknown mode is a 422, an unknown thread a 404', async () => {
    const { client, url } = server;
    const thread = await client.threads.create();
    const watched = await read(thread.thread_id, { streamMode: ['lifecycle', 'state_update'] }, (events) => events.some((event) => event.event === 'state_update'));
    const run = await client.runs.create(thread.thread_id, 'slow', { input: say('watched') });
    await watched.reading;
    expect(watched.events.map((event) => event.event)).toEqual(['run_start', 'run_done', 'state_update']);
    const state = watched.events[2]!.data as { run_id: string; values: { messages: Array<{ content: string }> } };
    expect(state.run_id).toBe(run.run_id);
    expect(state.values.messages[0]!.content).toBe('watched');
    expect((await fetch(`${url}/threads/${thread.thread_id}/stream?stream_mode=everything`)).status).toBe(422);
    expect((await fetch(`${url}/threads/${crypto.randomUUID()}/stream`)).status).toBe(404);
  });
});
