import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';

const MINUTE = 60_000;

describe("threads' time to live (thread ttl, checkpointer.ttl)", () => {
  let engine: TestEngine | undefined;
  afterEach(async () => {
    await engine?.dispose();
    engine = undefined;
  });

  /** An engine whose clock the test moves; threads without their own TTL live `defaultMinutes`. */
  async function engineWithClock(defaultMinutes?: number) {
    // From now: a run's start time is the engine's clock, which the queue compares with the real one.
    let clock = Date.now();
    engine = await startTestEngine({ now: () => new Date(clock), threadTtl: { defaultMinutes, sweepIntervalMs: 3_600_000 } });
    return { engine, advance: (ms: number) => (clock += ms) };
  }

  it('deletes a thread idle past its own ttl with its runs and checkpoints, counting from its last update, and keeps the rest', async () => {
    const { engine, advance } = await engineWithClock();
    const short = await engine.threads.create({ ttl: 10 });
    const patched = await engine.threads.create({ ttl: { ttl: 10, strategy: 'delete' } });
    const forever = await engine.threads.create();
    await engine.runs.join(short.thread_id, (await engine.runs.create(short.thread_id, { assistant_id: 'slow', input: userMessage('hi') })).run_id);
    advance(8 * MINUTE);
    // An update restarts the clock of the patched thread.
    await engine.threads.update(patched.thread_id, { metadata: { touched: true } });
    advance(3 * MINUTE);
    expect(await engine.sweeper.sweep()).toEqual([short.thread_id]);
    expect(await engine.threads.find(short.thread_id)).toBeNull();
    expect(await engine.runs.list(short.thread_id, { limit: 10, offset: 0 }).catch((error: Error) => error.message)).toMatch(/not found/i);
    expect((await engine.storage.checkpointer.getTuple({ configurable: { thread_id: short.thread_id, checkpoint_ns: '' } })) ?? null).toBeNull();
    advance(8 * MINUTE);
    expect(await engine.sweeper.sweep()).toEqual([patched.thread_id]);
    advance(10_000 * MINUTE);
    expect(await engine.sweeper.sweep()).toEqual([]);
    expect(await engine.threads.find(forever.thread_id)).not.toBeNull();
  });

  it('gives threads without their own ttl the configured default; a patched ttl replaces one, and null returns it to the default', async () => {
    const { engine, advance } = await engineWithClock(60);
    const byDefault = await engine.threads.create();
    const kept = await engine.threads.create({ ttl: 600 });
    const lengthened = await engine.threads.create({ ttl: 5 });
    await engine.threads.update(lengthened.thread_id, { ttl: 120 });
    const cleared = await engine.threads.create({ ttl: 5 });
    await engine.threads.update(cleared.thread_id, { ttl: null });
    expect((await engine.threads.get(cleared.thread_id)).ttl).toBeNull();
    advance(61 * MINUTE);
    expect((await engine.sweeper.sweep()).sort()).toEqual([byDefault.thread_id, cleared.thread_id].sort());
    advance(60 * MINUTE);
    expect(await engine.sweeper.sweep()).toEqual([lengthened.thread_id]);
    expect(await engine.threads.find(kept.thread_id)).not.toBeNull();
  });

  it('never deletes a thread while a run on it is in flight; it goes at the next sweep once idle', async () => {
    const { engine, advance } = await engineWithClock();
    const thread = await engine.threads.create({ ttl: 1 });
    const run = await engine.runs.create(thread.thread_id, { assistant_id: 'slow', input: userMessage('wait'), config: { configurable: { delay_ms: 1_500 } } });
    advance(2 * MINUTE);
    expect(await engine.sweeper.sweep()).toEqual([]);
    await engine.runs.join(thread.thread_id, run.run_id);
    expect((await engine.threads.get(thread.thread_id)).status).toBe('idle');
    advance(2 * MINUTE);
    expect(await engine.sweeper.sweep()).toEqual([thread.thread_id]);
  });

  it('reads only expired threads: a sweep among many threads that do not expire never lists them nor reads their records', async () => {
    const { engine, advance } = await engineWithClock();
    const expiring = [await engine.threads.create({ ttl: 1 }), await engine.threads.create({ ttl: 2 })];
    for (let i = 0; i < 40; i += 1) await engine.threads.create({ metadata: { filler: i } });
    const lasting = await engine.threads.create({ ttl: 600 });
    const repo = engine.storage.threads;
    const read: string[] = [];
    const searches: unknown[] = [];
    const { get, search } = repo;
    repo.get = async (threadId) => {
      read.push(threadId);
      return get.call(repo, threadId);
    };
    repo.search = async (query) => {
      searches.push(query);
      return search.call(repo, query);
    };
    advance(3 * MINUTE);
    // Soonest expiry first.
    expect(await engine.sweeper.sweep()).toEqual(expiring.map((thread) => thread.thread_id));
    expect(searches).toEqual([]);
    expect(new Set(read)).toEqual(new Set(expiring.map((thread) => thread.thread_id)));
    expect(await engine.threads.find(lasting.thread_id)).not.toBeNull();
  });
});
