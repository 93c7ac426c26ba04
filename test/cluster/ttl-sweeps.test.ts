import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/cluster/index.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { GraphRegistry } from '../../src/engine/graphs.ts';
import { silentLogger } from '../../src/log.ts';
import { openPostgresStorage } from '../../src/storage/postgres/index.ts';
import type { TtlStore } from '../../src/storage/store-ttl.ts';
import { testGraphs } from '../helpers/graphs.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, pgOptions } from '../helpers/postgres.ts';

const MINUTE = 60_000;
const INTERVAL = 5 * MINUTE;

/**
 * Two processes' engines on one PostgreSQL schema, each with its own pool and cluster, as
 * main.ts wires them: the sweeps of expired threads and store items take turns through
 * the database. Their clock is the test's.
 */
describe.skipIf(!HAS_POSTGRES)('TTL sweeps shared by several processes on PostgreSQL', () => {
  const engines: Engine[] = [];
  let schema: string | undefined;
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.stop();
    if (schema) await dropSchema(schema);
    schema = undefined;
  });

  async function twoProcesses() {
    schema = freshSchema();
    let clock = Date.now();
    const now = () => new Date(clock);
    for (let i = 0; i < 2; i += 1) {
      const storage = await openPostgresStorage({ ...pgOptions(schema), storeTtl: { refreshOnRead: true }, now });
      const cluster = createCluster({ db: storage.db, leaseMs: 5_000, workers: 2, log: silentLogger(), eventRetentionMs: 60_000 });
      const graphs = GraphRegistry.fromGraphs(testGraphs, { checkpointer: storage.checkpointer, store: storage.store });
      const engine = createEngine({
        storage,
        graphs,
        log: silentLogger(),
        cronIntervalMs: 0,
        scheduler: (parts) => cluster.scheduler(parts),
        sweepTurn: cluster.sweepTurn,
        threadTtl: { sweepIntervalMs: INTERVAL },
        storeSweepIntervalMs: INTERVAL,
        sweepNow: now,
      });
      await engine.start();
      engines.push(engine);
    }
    return { engines: engines as [Engine, Engine], advance: (ms: number) => (clock += ms) };
  }

  it('of two processes sweeping expired threads at once, exactly one sweeps; the other skips the interval', async () => {
    const { engines, advance } = await twoProcesses();
    const [a, b] = engines;
    const threads = [await a.threads.create({ ttl: 1 }), await b.threads.create({ ttl: 1 }), await a.threads.create({ ttl: 1 })];
    advance(2 * MINUTE);
    const outcomes = await Promise.all([a.sweeper.run(), b.sweeper.run()]);
    expect(outcomes.map((outcome) => outcome.turn).sort()).toEqual([false, true]);
    const swept = outcomes.find((outcome) => outcome.turn)!;
    expect(swept.threads.sort()).toEqual(threads.map((thread) => thread.thread_id).sort());
    expect(outcomes.find((outcome) => !outcome.turn)!.threads).toEqual([]);
    for (const thread of threads) expect(await b.threads.find(thread.thread_id)).toBeNull();

    // Within the same interval neither sweeps again, whichever asks; a thread expiring meanwhile waits for the next turn.
    const late = await b.threads.create({ ttl: 1 });
    advance(2 * MINUTE);
    expect((await Promise.all([a.sweeper.run(), b.sweeper.run()])).map((outcome) => outcome.turn)).toEqual([false, false]);
    expect(await a.threads.find(late.thread_id)).not.toBeNull();
    advance(INTERVAL);
    const next = await Promise.all([b.sweeper.run(), a.sweeper.run()]);
    expect(next.map((outcome) => outcome.turn).sort()).toEqual([false, true]);
    expect(next.flatMap((outcome) => outcome.threads)).toEqual([late.thread_id]);
  });

  it('of two processes sweeping expired store items at once, exactly one deletes them', async () => {
    const { engines, advance } = await twoProcesses();
    const [a, b] = engines;
    for (let i = 0; i < 5; i += 1) await (a.storage.store as TtlStore).put(['cache'], `k${i}`, { i }, undefined, { ttl: 1 });
    await b.storage.store.put(['cache'], 'kept', { i: 'kept' });
    advance(2 * MINUTE);
    const deleted = await Promise.all([a.storeSweeper.once(), b.storeSweeper.once()]);
    expect(deleted.filter((count) => count !== undefined)).toEqual([5]);
    expect((await b.storage.store.search(['cache'])).map((item) => item.key)).toEqual(['kept']);
  });
});
