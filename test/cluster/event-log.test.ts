import { afterEach, describe, expect, it } from 'vitest';
import { PgEventLog } from '../../src/cluster/event-log.ts';
import { PgNotifier } from '../../src/cluster/notifier.ts';
import { Db } from '../../src/storage/postgres/db.ts';
import { migrate } from '../../src/storage/postgres/migrations.ts';
import { type CutProxy, startCutProxy } from '../helpers/cut-proxy.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, pgOptions, TEST_DATABASE_URL } from '../helpers/postgres.ts';

/** How long a flush gets before the test calls it stalled: well past the write deadline the log is given. */
const SETTLES_WITHIN_MS = 4000;
const WRITE_DEADLINE_MS = 1000;

/**
 * The run events one process writes for the others (PgEventLog): a flush always settles,
 * whatever the pool or the network does, and writes again once the database answers.
 */
describe.skipIf(!HAS_POSTGRES)('run events shared through PostgreSQL', () => {
  const opened: Db[] = [];
  const logs: PgEventLog[] = [];
  let proxy: CutProxy | undefined;
  let schema: string | undefined;
  afterEach(async () => {
    proxy?.setMode('pass');
    for (const log of logs.splice(0)) await log.close();
    for (const db of opened.splice(0)) await db.close();
    await proxy?.close();
    if (schema) await dropSchema(schema);
    proxy = schema = undefined;
  });

  /** A fresh schema, a Db reaching it through `url` (a proxy, or the database itself), and one reading it directly. */
  const setUp = async (options: { url?: string; poolSize?: number } = {}) => {
    schema = freshSchema();
    const direct = new Db(pgOptions(schema));
    const writing = new Db({ ...pgOptions(schema, options.poolSize), ...(options.url ? { url: options.url } : {}) });
    opened.push(writing, direct);
    await migrate(direct);
    const log = new PgEventLog(writing, new PgNotifier(writing), { writeDeadlineMs: WRITE_DEADLINE_MS });
    logs.push(log);
    const stored = async (runId: string) =>
      (await direct.query<{ seq: number; event: string }>('SELECT seq, event FROM sb_run_events WHERE run_id = $1 ORDER BY seq', [runId])).rows;
    return { writing, log, stored };
  };
  const event = (id: number) => ({ id: String(id), event: 'values', data: { step: id } });
  /** The flush's outcome, or 'stalled' if it has not settled in SETTLES_WITHIN_MS. */
  const settled = (flush: Promise<void>) =>
    Promise.race([flush.then(() => 'settled' as const), new Promise<'stalled'>((resolve) => setTimeout(() => resolve('stalled'), SETTLES_WITHIN_MS))]);

  it('a flush does not wait for the pool: with every pooled connection held, its events are stored', async () => {
    const { writing, log, stored } = await setUp({ poolSize: 1 });
    const held = await writing.pool.connect();
    try {
      log.append('run-1', event(1));
      log.end('run-1');
      expect(await settled(log.flush())).toBe('settled');
      expect(await stored('run-1')).toEqual([
        { seq: 1, event: 'values' },
        { seq: 2, event: '__end__' },
      ]);
    } finally {
      held.release();
    }
  });

  it('a flush settles within its write deadline while the database swallows packets, and the flush after it stores again once it answers', async () => {
    const target = new URL(TEST_DATABASE_URL!);
    proxy = await startCutProxy(Number(target.port || 5432));
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    const { log, stored } = await setUp({ url: target.toString() });
    log.append('run-1', event(1));
    await log.flush();
    expect(await stored('run-1')).toEqual([{ seq: 1, event: 'values' }]);

    // The connection is cut (the write on it fails at once) and the next one is held
    // unanswered, as a network that swallows packets does: that write waits out its deadline.
    proxy.setMode('stall');
    log.append('run-1', event(2));
    const failed = log.flush();
    log.append('run-1', event(3));
    const startedAt = Date.now();
    // Queued behind the first: the chain moves on past each.
    expect(await settled(log.flush())).toBe('settled');
    await failed;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(WRITE_DEADLINE_MS - 50);

    proxy.setMode('pass');
    log.append('run-1', event(4));
    log.end('run-1');
    expect(await settled(log.flush())).toBe('settled');
    // What was written while the database was away is dropped; nothing written after it is.
    expect(await stored('run-1')).toEqual([
      { seq: 1, event: 'values' },
      { seq: 4, event: 'values' },
      { seq: 5, event: '__end__' },
    ]);
  }, 30_000);
});
