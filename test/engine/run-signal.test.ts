import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { runSignal } from '../../src/engine/run-signal.ts';
import { RunStop, stopReasonOf } from '../../src/engine/stop.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe("a run's abort signal", () => {
  it("carries the queue's stop reason", () => {
    const queue = new AbortController();
    const run = runSignal(queue.signal, undefined);
    queue.abort(new RunStop('rollback'));
    expect(stopReasonOf(run.signal)).toBe('rollback');
    run.dispose();
  });

  it('is aborted at once when the queue had already stopped the run', () => {
    const queue = new AbortController();
    queue.abort(new RunStop('shutdown'));
    expect(stopReasonOf(runSignal(queue.signal, undefined).signal)).toBe('shutdown');
  });

  it('aborts with `timeout` past the time limit, and not after dispose', async () => {
    const timed = runSignal(new AbortController().signal, 0.02);
    const disposed = runSignal(new AbortController().signal, 0.02);
    disposed.dispose();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(stopReasonOf(timed.signal)).toBe('timeout');
    expect(disposed.signal.aborted).toBe(false);
  });

  it('is garbage collected once the run is over, even with an abort listener left on it (as LangGraph leaves one)', async () => {
    // The queue's signal lives on (the queue's controller), as in the server.
    const queue = new AbortController();
    const refs = runsThatLeaveAListener(queue.signal, 200);
    for (let i = 0; i < 5; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
    }
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(queue.signal.aborted).toBe(false);
  });
});

/** `count` runs, each leaving an abort listener on its signal, over; only weak references to their signals are returned. */
function runsThatLeaveAListener(queueSignal: AbortSignal, count: number): Array<WeakRef<AbortSignal>> {
  const refs: Array<WeakRef<AbortSignal>> = [];
  for (let i = 0; i < count; i += 1) {
    const run = runSignal(queueSignal, 60);
    const held = new Array(1000).fill(i);
    run.signal.addEventListener('abort', () => held.length);
    refs.push(new WeakRef(run.signal));
    run.dispose();
  }
  return refs;
}
