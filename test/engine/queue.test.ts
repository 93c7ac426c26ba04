import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunQueue } from '../../src/engine/queue.ts';
import { type RunStop, stopReasonOf } from '../../src/engine/stop.ts';
import type { Run } from '../../src/storage/types.ts';

const PAST = '2020-01-01T00:00:00.000Z';
const run = (id: string, thread: string, created_at = PAST): Run => ({
  run_id: id,
  thread_id: thread,
  assistant_id: 'a',
  created_at,
  updated_at: created_at,
  status: 'pending',
  metadata: {},
  kwargs: {},
  multitask_strategy: 'enqueue',
});
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A queue whose executions run until the test ends them (or they are stopped), recording the order they start in. */
function harness(workers = 4, now?: () => number) {
  const started: string[] = [];
  const reasons = new Map<string, string | undefined>();
  const release = new Map<string, () => void>();
  const queue = new RunQueue({
    workers,
    ...(now ? { now } : {}),
    execute: (run, signal) =>
      new Promise<void>((resolve) => {
        started.push(run.run_id);
        release.set(run.run_id, resolve);
        signal.addEventListener('abort', () => {
          reasons.set(run.run_id, stopReasonOf(signal));
          resolve();
        });
      }),
  });
  const finish = async (id: string) => {
    release.get(id)!();
    await tick();
  };
  const admit = (...runs: Run[]) => {
    for (const each of runs) queue.add(each);
    for (const each of runs) queue.accept(each.run_id);
  };
  return { queue, started, reasons, finish, admit };
}

describe('the run queue of one process', () => {
  it('runs one run at a time per thread, in acceptance order, and the next only once the previous execution returned', async () => {
    const { queue, started, finish, admit } = harness();
    admit(run('r1', 't'), run('r2', 't'), run('r3', 't'));
    expect(started).toEqual(['r1']);
    expect(queue.isRunning('r1')).toBe(true);
    expect(queue.isRunning('r2')).toBe(false);
    // Its outcome stored: no longer in flight for strategies, but r2 still waits for r1's execution.
    queue.markDone('r1');
    expect(queue.active('t').map((each) => each.run_id)).toEqual(['r2', 'r3']);
    expect(started).toEqual(['r1']);
    await finish('r1');
    expect(started).toEqual(['r1', 'r2']);
    expect(queue.has('r1')).toBe(false);
    await finish('r2');
    await finish('r3');
    expect(started).toEqual(['r1', 'r2', 'r3']);
    expect(queue.active('t')).toEqual([]);
    expect(queue.runningCount).toBe(0);
  });

  it('runs different threads at once, never more than its workers', async () => {
    const { queue, started, finish, admit } = harness(2);
    admit(run('a1', 'a'), run('b1', 'b'), run('c1', 'c'));
    expect(started).toEqual(['a1', 'b1']);
    expect(queue.runningCount).toBe(2);
    await finish('b1');
    expect(started).toEqual(['a1', 'b1', 'c1']);
    expect(queue.runningCount).toBe(2);
  });

  it('starts a run only once it is accepted (stored), and a run added unaccepted counts as in flight', async () => {
    const { queue, started } = harness();
    queue.add(run('r1', 't'));
    queue.pump();
    expect(started).toEqual([]);
    expect(queue.active('t').map((each) => each.run_id)).toEqual(['r1']);
    expect(queue.has('r1')).toBe(true);
    queue.accept('unknown');
    queue.accept('r1');
    expect(started).toEqual(['r1']);
  });

  it('waits for a run created in the future (after_seconds) and starts it then by itself', async () => {
    let clock = Date.parse('2026-01-01T00:00:00.000Z');
    const { started, admit } = harness(4, () => clock);
    admit(run('later', 't', '2026-01-01T00:00:00.050Z'), run('now', 'u', '2026-01-01T00:00:00.000Z'));
    expect(started).toEqual(['now']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toEqual(['now']);
    clock += 50;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(started).toEqual(['now', 'later']);
  });

  it('removes a pending run so the next one starts, but never a running or unknown one', async () => {
    const { queue, started, admit } = harness();
    admit(run('r1', 't'), run('r2', 't'), run('r3', 't'));
    expect(queue.removePending('r1')).toBe(false);
    expect(queue.removePending('nope')).toBe(false);
    expect(queue.removePending('r2')).toBe(true);
    expect(queue.has('r2')).toBe(false);
    expect(queue.active('t').map((each) => each.run_id)).toEqual(['r1', 'r3']);
    const pending = harness();
    pending.admit(run('p1', 'x'));
    pending.queue.add(run('p2', 'y'));
    expect(pending.queue.removePending('p2')).toBe(true);
    expect(pending.queue.active('y')).toEqual([]);
    expect(started).toEqual(['r1']);
  });

  it('stops a running run with its reason as the signal reason and resolves once its execution has returned; a pending one is left alone', async () => {
    const { queue, started, reasons, admit } = harness();
    admit(run('r1', 't'), run('r2', 't'));
    await queue.stop('r2', 'interrupt');
    expect(reasons.has('r2')).toBe(false);
    await queue.stop('r1', 'rollback');
    expect(reasons.get('r1')).toBe('rollback');
    expect(queue.has('r1')).toBe(false);
    expect(started).toEqual(['r1', 'r2']);
    await queue.stop('r1', 'interrupt');
  });

  it('a second stop of a run that is stopping keeps the first reason', async () => {
    const seen: unknown[] = [];
    let release: () => void = () => undefined;
    const queue = new RunQueue({
      workers: 1,
      execute: (_run, signal) =>
        new Promise<void>((resolve) => {
          release = resolve;
          signal.addEventListener('abort', () => seen.push((signal.reason as RunStop).reason));
        }),
    });
    queue.add(run('r1', 't'));
    queue.accept('r1');
    const first = queue.stop('r1', 'interrupt');
    const second = queue.stop('r1', 'rollback');
    release();
    await Promise.all([first, second]);
    expect(seen).toEqual(['interrupt']);
  });

  it('shutdown stops every running run with `shutdown` and starts nothing after', async () => {
    const { queue, started, reasons, admit } = harness(1);
    admit(run('a1', 'a'), run('b1', 'b'));
    await queue.shutdown();
    expect(reasons.get('a1')).toBe('shutdown');
    expect(started).toEqual(['a1']);
    queue.pump();
    expect(started).toEqual(['a1']);
  });

  it('markDone and accept of a run it does not know change nothing', () => {
    const { queue, started, admit } = harness();
    admit(run('r1', 't'));
    queue.markDone('unknown');
    queue.accept('unknown');
    expect(queue.active('t').map((each) => each.run_id)).toEqual(['r1']);
    expect(started).toEqual(['r1']);
  });

  it('pause starts nothing more: waiting runs stay (for the next start), running ones go on', async () => {
    const { queue, started, reasons, finish, admit } = harness(1);
    admit(run('r1', 't'), run('u1', 'u'));
    queue.pause();
    await finish('r1');
    queue.pump();
    expect(started).toEqual(['r1']);
    expect(queue.has('u1')).toBe(true);
    expect(reasons.size).toBe(0);
  });

  it('shutdown resolves only once every running execution has returned', async () => {
    const returned: string[] = [];
    const queue = new RunQueue({
      workers: 2,
      execute: (each, signal) =>
        new Promise<void>((resolve) =>
          // Clean-up after the stop takes a moment, as a graph's does.
          signal.addEventListener('abort', () =>
            setTimeout(() => {
              returned.push(each.run_id);
              resolve();
            }, 20),
          ),
        ),
    });
    for (const id of ['a', 'b']) {
      queue.add(run(id, id));
      queue.accept(id);
    }
    await queue.shutdown();
    expect(returned.sort()).toEqual(['a', 'b']);
  });

  it('a run created for later wakes the queue at its time, not by polling before it', async () => {
    let reads = 0;
    const clock = Date.parse('2026-01-01T00:00:00.000Z');
    const { started, admit } = harness(4, () => {
      reads += 1;
      return clock;
    });
    admit(run('later', 't', '2026-01-01T00:00:10.000Z'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(started).toEqual([]);
    // One look when it was accepted, one to set the wake-up: no timer firing every millisecond.
    expect(reads).toBeLessThanOrEqual(4);
  });
});

describe("the run queue's timer", () => {
  afterEach(() => vi.useRealTimers());

  it('keeps no timer while nothing waits for a later time, one for any number of runs waiting, and none after pause or shutdown', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const clock = Date.parse('2026-01-01T00:00:00.000Z');
    const later = '2026-01-01T00:00:05.000Z';
    const first = harness(4, () => clock);
    first.admit(run('now', 'n'));
    expect(vi.getTimerCount()).toBe(0);
    first.admit(run('l1', 'a', later), run('l2', 'b', later), run('l3', 'c', later));
    expect(vi.getTimerCount()).toBe(1);
    await first.queue.shutdown();
    expect(vi.getTimerCount()).toBe(0);

    const second = harness(4, () => clock);
    second.admit(run('l4', 'd', later));
    expect(vi.getTimerCount()).toBe(1);
    second.queue.pause();
    expect(vi.getTimerCount()).toBe(0);
  });
});
