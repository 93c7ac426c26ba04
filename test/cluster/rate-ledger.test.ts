import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/chat/rate-limiter.ts';
import { Db } from '../../src/storage/postgres/db.ts';
import { migrate } from '../../src/storage/postgres/migrations.ts';
import { leasedLedger } from '../helpers/leased-ledger.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, pgOptions } from '../helpers/postgres.ts';

/**
 * Two processes' rate limiters, each with its own connection pool to one PostgreSQL schema,
 * sharing their budgets through the ledger (what two Switchboard processes do per platform).
 * Each holds a lease, as a Switchboard process does: the ledger vouches only for calls of
 * processes that are alive.
 */
describe.skipIf(!HAS_POSTGRES)('rate budgets shared through PostgreSQL', () => {
  const opened: Db[] = [];
  let schema: string | undefined;
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    if (schema) await dropSchema(schema);
    schema = undefined;
  });

  const twoProcessesWithLeases = async () => {
    schema = freshSchema();
    const dbs = [new Db(pgOptions(schema)), new Db(pgOptions(schema))];
    opened.push(...dbs);
    await migrate(dbs[0]!);
    return Promise.all(
      dbs.map(async (db) => {
        const { lease, ledger } = await leasedLedger(db);
        return { db, lease, ledger, limiter: new RateLimiter({ ledger }) };
      }),
    );
  };
  const twoProcesses = async () => (await twoProcessesWithLeases()).map((member) => member.limiter);

  /** A call that records when it left and when its answer came back. */
  const timed = (log: Array<{ who: string; left: number; answered: number }>, who: string) => async () => {
    const left = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.push({ who, left, answered: Date.now() });
  };

  it('a Retry-After one process learned holds for the other: its call waits until the Retry-After has passed', async () => {
    const [first, second] = await twoProcesses();
    const bucket = { key: 'T1:chat.update', limit: { limit: 50, windowMs: 60_000 } };
    const refusedAt = Date.now();
    const refusal = Object.assign(new Error('ratelimited'), { retryAfterMs: 1500 });
    await expect(first!.run(bucket.key, bucket.limit, 'required', () => Promise.reject(refusal))).rejects.toBe(refusal);
    const log: Array<{ who: string; left: number; answered: number }> = [];
    await second!.run(bucket.key, bucket.limit, 'required', timed(log, 'second'));
    expect(log[0]!.left - refusedAt).toBeGreaterThanOrEqual(1500);
    // After a 429 the second process got, an optional call of the first is not made at all.
    const third = new Error('ratelimited again');
    await expect(second!.run(bucket.key, bucket.limit, 'required', () => Promise.reject(Object.assign(third, { retryAfterMs: 1000 })))).rejects.toBe(third);
    await expect(first!.run(bucket.key, bucket.limit, 'optional', timed(log, 'first'))).rejects.toMatchObject({ name: 'BudgetShortError' });
    expect(log).toHaveLength(1);
  });

  it('both processes together keep within one bucket\u2019s limit, one call in flight at a time', async () => {
    const [first, second] = await twoProcesses();
    // Two calls a second, as chat.postMessage's one a second per channel but quicker to test.
    const limit = { limit: 2, windowMs: 1000 };
    const log: Array<{ who: string; left: number; answered: number }> = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, index) => {
        const [limiter, who] = index % 2 === 0 ? [first!, 'first'] : [second!, 'second'];
        return limiter.run('T1:chat.postMessage:C1', limit, 'required', timed(log, who));
      }),
    );
    expect(new Set(log.map((call) => call.who))).toEqual(new Set(['first', 'second']));
    const byLeaving = [...log].sort((a, b) => a.left - b.left);
    for (const [index, call] of byLeaving.entries()) {
      // Never two in flight: each call leaves after the one before it was answered.
      if (index > 0) expect(call.left).toBeGreaterThanOrEqual(byLeaving[index - 1]!.answered);
      // At most two in any window: the call two before it was answered a window or more earlier.
      if (index > 1) expect(call.left - byLeaving[index - 2]!.answered).toBeGreaterThanOrEqual(limit.windowMs);
    }
  });

  it('a call in flight when its process died holds the bucket only until the lease declares that process dead, and still counts for a window', async () => {
    const [dying, survivor] = await twoProcessesWithLeases();
    const bucket = { key: 'discord:message-create:C1', limit: { limit: 1, windowMs: 1000 } };
    // The dying process's call leaves and its answer is never recorded (the process was killed).
    expect(await dying!.ledger.claim(bucket.key, bucket.limit, 0)).toHaveProperty('id');
    const log: Array<{ who: string; left: number; answered: number }> = [];
    const call = survivor!.limiter.run(bucket.key, bucket.limit, 'required', timed(log, 'survivor'));
    // While the lease stands, the call may still be on its way: nobody else calls the bucket.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(log).toHaveLength(0);
    await survivor!.db.query(`UPDATE sb_processes SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [dying!.lease.processId]);
    const declaredDeadAt = Date.now();
    await survivor!.lease.sweep();
    await call;
    const waited = log[0]!.left - declaredDeadAt;
    // Not the 30 s a call of an unknown process is given; but the dead call may have reached
    // the platform, so it counts for the bucket's window from when it was found dead.
    expect(waited).toBeGreaterThanOrEqual(bucket.limit.windowMs - 20);
    expect(waited).toBeLessThan(5000);
  }, 15_000);
});
