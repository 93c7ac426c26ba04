import { afterEach, describe, expect, it } from 'vitest';
import type { TtlStrategy } from '../../src/storage/types.ts';
import { userMessage } from '../helpers/engine.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MINUTE = 60_000;

/**
 * Threads' time to live (langgraph.json `checkpointer.ttl`) seen through the SDK, on files
 * (and on PostgreSQL in the engine-on-postgres project). Runs keep the real time; the
 * sweeps' clock is moved ahead of it.
 */
describe("threads' time to live through the SDK (checkpointer.ttl)", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  async function serverWithSweepClock(strategy: TtlStrategy, defaultMinutes?: number) {
    let ahead = 0;
    server = await startTestServer({
      engine: { sweepNow: () => new Date(Date.now() + ahead), threadTtl: { strategy, defaultMinutes, sweepIntervalMs: 3_600_000 } },
    });
    return { server, client: server.client, sweeper: server.engine.sweeper, later: (ms: number) => (ahead += ms) };
  }

  const texts = (values: unknown) => ((values as { messages?: Array<{ content: unknown }> }).messages ?? []).map((message) => message.content);

  it('keep_latest leaves an expired thread with its latest state readable and a history of one checkpoint; it goes on from there', async () => {
    const { client, sweeper, later } = await serverWithSweepClock('keep_latest', 10);
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, 'slow', { input: userMessage('one') });
    await client.runs.wait(thread.thread_id, 'slow', { input: userMessage('two') });
    const before = await client.threads.getState(thread.thread_id);
    expect((await client.threads.getHistory(thread.thread_id, { limit: 100 })).length).toBeGreaterThan(3);

    later(11 * MINUTE);
    expect(await sweeper.sweep()).toEqual([thread.thread_id]);
    const after = await client.threads.getState(thread.thread_id);
    expect(after.values).toEqual(before.values);
    expect(after.checkpoint.checkpoint_id).toBe(before.checkpoint.checkpoint_id);
    const history = await client.threads.getHistory(thread.thread_id, { limit: 100 });
    expect(history.map((state) => state.checkpoint.checkpoint_id)).toEqual([before.checkpoint.checkpoint_id]);
    expect(texts((await client.threads.get(thread.thread_id)).values)).toEqual(['one', 'done: one', 'two', 'done: two']);
    // Pruned already: until it changes, a sweep has nothing to do with it.
    expect(await sweeper.sweep()).toEqual([]);

    // The conversation goes on from the kept checkpoint, and is pruned again once idle past its TTL.
    await client.runs.wait(thread.thread_id, 'slow', { input: userMessage('three') });
    expect(texts((await client.threads.getState(thread.thread_id)).values)).toEqual(['one', 'done: one', 'two', 'done: two', 'three', 'done: three']);
    expect((await client.threads.getHistory(thread.thread_id, { limit: 100 })).length).toBeGreaterThan(1);
    later(11 * MINUTE);
    expect(await sweeper.sweep()).toEqual([thread.thread_id]);
    expect(await client.threads.getHistory(thread.thread_id, { limit: 100 })).toHaveLength(1);
    expect(texts((await client.threads.getState(thread.thread_id)).values)).toHaveLength(6);
  });

  it("a thread's own ttl takes the configured strategy unless it names one; the SDK's names 'delete', which deletes it while keep_latest is configured", async () => {
    const { server, client, sweeper, later } = await serverWithSweepClock('keep_latest');
    // A bare number of minutes (as a raw request may send it) names no strategy.
    const response = await fetch(`${server.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ttl: 5 }) });
    const pruned = (await response.json()) as { thread_id: string };
    // The SDK turns `ttl: 5` into `{ ttl: 5, strategy: 'delete' }`.
    const deleted = await client.threads.create({ ttl: 5 });
    const forever = await client.threads.create();
    for (const thread of [pruned, deleted, forever]) await client.runs.wait(thread.thread_id, 'slow', { input: userMessage('hi') });
    later(6 * MINUTE);
    expect((await sweeper.sweep()).sort()).toEqual([pruned.thread_id, deleted.thread_id].sort());
    await expect(client.threads.get(deleted.thread_id)).rejects.toMatchObject({ status: 404 });
    expect(await client.threads.getHistory(pruned.thread_id, { limit: 100 })).toHaveLength(1);
    expect((await client.threads.getHistory(forever.thread_id, { limit: 100 })).length).toBeGreaterThan(1);
  });

  it('never prunes a thread while a run on it is in flight; it is pruned at the next sweep once idle', async () => {
    const { client, sweeper, later } = await serverWithSweepClock('keep_latest', 1);
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, 'slow', { input: userMessage('first') });
    const run = await client.runs.create(thread.thread_id, 'slow', { input: userMessage('wait'), config: { configurable: { delay_ms: 1_500 } } });
    later(2 * MINUTE);
    expect(await sweeper.sweep()).toEqual([]);
    await client.runs.join(thread.thread_id, run.run_id);
    expect(texts((await client.threads.getState(thread.thread_id)).values)).toEqual(['first', 'done: first', 'wait', 'done: wait']);
    later(2 * MINUTE);
    expect(await sweeper.sweep()).toEqual([thread.thread_id]);
    expect(await client.threads.getHistory(thread.thread_id, { limit: 100 })).toHaveLength(1);
  });
});
