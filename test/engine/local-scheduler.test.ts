import { afterEach, describe, expect, it } from 'vitest';
import { LocalScheduler } from '../../src/engine/local-scheduler.ts';
import { RunQueue } from '../../src/engine/queue.ts';
import { stopReasonOf } from '../../src/engine/stop.ts';
import { StreamBroker } from '../../src/engine/stream.ts';
import { isSwitchboardError } from '../../src/errors.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import type { Run, Storage, Thread } from '../../src/storage/types.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const NOW = '2026-01-01T00:00:00.000Z';
const LATER = new Date('2026-01-02T00:00:00.000Z');
const run = (id: string, thread: string, fields: Partial<Run> = {}): Run => ({
  run_id: id,
  thread_id: thread,
  assistant_id: 'a',
  created_at: NOW,
  updated_at: NOW,
  status: 'pending',
  metadata: {},
  kwargs: {},
  multitask_strategy: 'enqueue',
  ...fields,
});
const thread = (id: string, status: Thread['status'] = 'idle'): Thread => ({ thread_id: id, created_at: NOW, updated_at: NOW, metadata: {}, status, values: null, interrupts: {} });
const busy = (each: Thread): Thread => ({ ...each, status: 'busy' });

/** The scheduler of one process on files storage, with executions the test ends (or stops). */
describe('the scheduler of one process', () => {
  const temps: Array<{ dir: string; cleanup: () => void }> = [];
  const storages: Storage[] = [];
  const schedulers: LocalScheduler[] = [];
  afterEach(async () => {
    for (const scheduler of schedulers.splice(0)) await scheduler.shutdown();
    for (const storage of storages.splice(0)) await storage.close();
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  async function setup(dir?: string) {
    const temp = dir ? undefined : makeTempDir();
    if (temp) temps.push(temp);
    const storage = await openFilesStorage(dir ?? temp!.dir);
    storages.push(storage);
    const started: string[] = [];
    const reasons = new Map<string, string | undefined>();
    const release = new Map<string, () => void>();
    const queue = new RunQueue({
      workers: 4,
      execute: (each, signal) =>
        new Promise<void>((resolve) => {
          started.push(each.run_id);
          release.set(each.run_id, resolve);
          signal.addEventListener('abort', () => {
            reasons.set(each.run_id, stopReasonOf(signal));
            resolve();
          });
        }),
    });
    const broker = new StreamBroker({ retentionMs: 60_000, memoryBytes: 32 * 1024 * 1024 });
    const scheduler = new LocalScheduler({ storage, queue, broker, now: () => LATER });
    schedulers.push(scheduler);
    const finish = async (id: string) => {
      release.get(id)!();
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    return { storage, queue, broker, scheduler, started, reasons, finish, dir: dir ?? temp!.dir };
  }

  it('admits a run: stores it, marks its thread, opens its stream, then starts it; reports the runs in flight before it, the running one as running', async () => {
    const { storage, broker, scheduler, started } = await setup();
    await storage.threads.create(thread('t'));
    expect(await scheduler.admit(run('r1', 't'), { reject: false, markThread: busy })).toEqual([]);
    expect(started).toEqual(['r1']);
    expect(broker.has('r1')).toBe(true);
    expect((await storage.runs.get('t', 'r1'))?.run_id).toBe('r1');
    expect((await storage.threads.get('t'))?.status).toBe('busy');
    expect(scheduler.runningCount).toBe(1);
    const before = await scheduler.admit(run('r2', 't'), { reject: false, markThread: () => null });
    expect(before.map((each) => [each.run_id, each.status])).toEqual([['r1', 'running']]);
    expect((await scheduler.inflight('t')).map((each) => [each.run_id, each.status])).toEqual([
      ['r1', 'running'],
      ['r2', 'pending'],
    ]);
    expect(started).toEqual(['r1']);
  });

  it('under reject, refuses a run while another is in flight, naming it, and stores nothing', async () => {
    const { storage, broker, scheduler } = await setup();
    await storage.threads.create(thread('t'));
    await scheduler.admit(run('r1', 't'), { reject: true, markThread: busy });
    const refused = await scheduler.admit(run('r2', 't'), { reject: true, markThread: busy }).catch((error: unknown) => error);
    expect(isSwitchboardError(refused, 'conflict')).toBe(true);
    expect((refused as Error).message).toBe('thread t is busy with run r1; the new run was rejected');
    expect(await storage.runs.get('t', 'r2')).toBeNull();
    expect(broker.has('r2')).toBe(false);
    expect((await scheduler.inflight('t')).map((each) => each.run_id)).toEqual(['r1']);
  });

  it('a run whose record cannot be stored is taken out of the queue and its stream dropped, and the error reaches the caller', async () => {
    const { storage, broker, scheduler, started } = await setup();
    await storage.threads.create(thread('t'));
    const put = storage.runs.put.bind(storage.runs);
    storage.runs.put = async () => {
      throw new Error('disk full');
    };
    await expect(scheduler.admit(run('r1', 't'), { reject: false, markThread: busy })).rejects.toThrow('disk full');
    storage.runs.put = put;
    expect(await scheduler.inflight('t')).toEqual([]);
    expect(broker.has('r1')).toBe(false);
    expect(started).toEqual([]);
    // The thread is free for the next run.
    await scheduler.admit(run('r2', 't'), { reject: true, markThread: busy });
    expect(started).toEqual(['r2']);
  });

  it('stops a running run by its signal (ran), a pending one by its record (removed: interrupted, or deleted for a rollback), and an ended one not at all (gone)', async () => {
    const { storage, scheduler, started, reasons, finish } = await setup();
    await storage.threads.create(thread('t'));
    const [r1, r2, r3] = [run('r1', 't'), run('r2', 't'), run('r3', 't')];
    for (const each of [r1, r2, r3]) await scheduler.admit(each, { reject: false, markThread: busy });
    expect(await scheduler.stop(r2, 'interrupt')).toBe('removed');
    expect(await storage.runs.get('t', 'r2')).toMatchObject({ status: 'interrupted', error: 'cancelled before it started', updated_at: LATER.toISOString() });
    expect(await scheduler.stop(r3, 'rollback')).toBe('removed');
    expect(await storage.runs.get('t', 'r3')).toBeNull();
    expect(await scheduler.stop(r1, 'rollback')).toBe('ran');
    expect(reasons.get('r1')).toBe('rollback');
    expect(await scheduler.stop(r1, 'interrupt')).toBe('gone');
    expect(started).toEqual(['r1']);
    const r4 = run('r4', 't');
    await scheduler.admit(r4, { reject: false, markThread: busy });
    await finish('r4');
    expect(await scheduler.stop(r4, 'interrupt')).toBe('gone');
  });

  it('a run whose outcome is stored no longer counts as in flight, for admissions and thread updates', async () => {
    const { storage, scheduler } = await setup();
    await storage.threads.create(thread('t'));
    const r1 = run('r1', 't');
    await scheduler.admit(r1, { reject: false, markThread: busy });
    const seen: boolean[] = [];
    await scheduler.updateThread('t', (_thread, hasActiveRuns) => {
      seen.push(hasActiveRuns(), hasActiveRuns('r1'), hasActiveRuns('other'));
      return null;
    });
    scheduler.finished(r1);
    await scheduler.updateThread('t', (_thread, hasActiveRuns) => {
      seen.push(hasActiveRuns());
      return null;
    });
    expect(seen).toEqual([true, false, true, false]);
    expect(await scheduler.admit(run('r2', 't'), { reject: true, markThread: busy })).toEqual([]);
  });

  it('updates a thread only when the update returns one, and says null for a thread that does not exist', async () => {
    const { storage, scheduler } = await setup();
    await storage.threads.create(thread('t'));
    expect(await scheduler.updateThread('t', () => null)).toMatchObject({ status: 'idle' });
    expect(await scheduler.updateThread('t', (each) => ({ ...each, status: 'error' }))).toMatchObject({ status: 'error' });
    expect((await storage.threads.get('t'))?.status).toBe('error');
    expect(await scheduler.updateThread('missing', busy)).toBeNull();
    expect(await scheduler.threadOf()).toBeNull();
  });

  it('at start, queues again the runs a previous process left, in order, after telling `recovered`, and marks their threads busy', async () => {
    const first = await setup();
    await first.storage.threads.create(thread('t'));
    await first.storage.threads.create(thread('u', 'busy'));
    for (const each of [run('r1', 't'), run('r2', 't'), run('u1', 'u')]) await first.scheduler.admit(each, { reject: false, markThread: () => null });
    await first.scheduler.shutdown();
    await first.storage.close();
    storages.splice(0);

    const second = await setup(first.dir);
    const told: string[][] = [];
    const count = await second.scheduler.start((runs) => {
      told.push(runs.map((each) => each.run_id));
      expect(second.started).toEqual([]);
    });
    expect(count).toBe(3);
    expect(told).toEqual([['r1', 'r2', 'u1']]);
    expect(second.started).toEqual(['r1', 'u1']);
    expect(second.broker.has('r2')).toBe(true);
    expect(await second.storage.threads.get('t')).toMatchObject({ status: 'busy', updated_at: LATER.toISOString() });
    expect(await second.storage.threads.get('u')).toMatchObject({ status: 'busy', updated_at: NOW });
    expect(second.scheduler.runningCount).toBe(2);
  });

  it('shutdown stops running runs with `shutdown`, leaving them active in storage', async () => {
    const { storage, scheduler, reasons } = await setup();
    await storage.threads.create(thread('t'));
    await scheduler.admit(run('r1', 't'), { reject: false, markThread: busy });
    await scheduler.shutdown();
    expect(reasons.get('r1')).toBe('shutdown');
    expect((await storage.runs.active()).map((each) => each.run_id)).toEqual(['r1']);
  });

  it('pause starts no run any more: one admitted after it is stored and waits (for the next start), the running one goes on', async () => {
    const { storage, scheduler, started, reasons } = await setup();
    await storage.threads.create(thread('t'));
    await storage.threads.create(thread('u'));
    await scheduler.admit(run('r1', 't'), { reject: false, markThread: busy });
    scheduler.pause();
    await scheduler.admit(run('u1', 'u'), { reject: false, markThread: busy });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toEqual(['r1']);
    expect(reasons.size).toBe(0);
    expect((await storage.runs.active()).map((each) => each.run_id).sort()).toEqual(['r1', 'u1']);
  });

  it('without a clock given, stamps a cancelled pending run with the current time', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const storage = await openFilesStorage(temp.dir);
    storages.push(storage);
    const queue = new RunQueue({ workers: 1, execute: (_run, signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())) });
    const scheduler = new LocalScheduler({ storage, queue, broker: new StreamBroker({ retentionMs: 60_000, memoryBytes: 32 * 1024 * 1024 }) });
    await storage.threads.create(thread('t'));
    await scheduler.admit(run('r1', 't'), { reject: false, markThread: busy });
    const pending = run('r2', 't');
    await scheduler.admit(pending, { reject: false, markThread: busy });
    const before = Date.now();
    expect(await scheduler.stop(pending, 'interrupt')).toBe('removed');
    const stamped = Date.parse((await storage.runs.get('t', 'r2'))!.updated_at);
    expect(stamped).toBeGreaterThanOrEqual(before - 1_000);
    expect(stamped).toBeLessThanOrEqual(Date.now());
    await queue.shutdown();
  });
});
