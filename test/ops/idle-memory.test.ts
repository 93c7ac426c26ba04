import { afterEach, describe, expect, it, vi } from 'vitest';
import { startIdleMemory } from '../../src/ops/idle-memory.ts';
import { silentLogger } from '../../src/log.ts';

const MiB = 1024 * 1024;

describe('a quiet server hands its memory back (server.idle_gc_seconds)', () => {
  afterEach(() => vi.useRealTimers());

  function setup() {
    vi.useFakeTimers();
    const state = { cpuMicros: 0, heap: 200 * MiB, collections: 0, releases: 0, order: [] as string[] };
    const stop = startIdleMemory({
      idleMs: 30_000,
      log: silentLogger(),
      cpuMicros: () => state.cpuMicros,
      heapBytes: () => state.heap,
      release: () => {
        state.releases += 1;
        state.order.push('release');
      },
      collect: () => {
        state.collections += 1;
        state.order.push('collect');
        state.heap = 40 * MiB;
      },
    });
    return { state, stop };
  }

  it('after a quiet window it drops the caches first, then collects twice (the second once sweeping has ended)', () => {
    const { state, stop } = setup();
    vi.advanceTimersByTime(30_000);
    expect(state.order).toEqual(['release', 'collect']);
    vi.advanceTimersByTime(1_000);
    expect(state.order).toEqual(['release', 'collect', 'collect']);
    stop();
  });

  it('does nothing while the process works (CPU at 2% of a core or more over the window)', () => {
    const { state, stop } = setup();
    for (let window = 0; window < 5; window += 1) {
      // 0.6 s of CPU in 30 s: 2%.
      state.cpuMicros += 600_000;
      vi.advanceTimersByTime(30_000);
    }
    expect(state.collections).toBe(0);
    expect(state.releases).toBe(0);
    // Quiet at last: collected.
    vi.advanceTimersByTime(31_000);
    expect(state.collections).toBe(2);
    stop();
  });

  it('memory held in buffers counts as growth: finished streams keep their text outside the heap', () => {
    vi.useFakeTimers();
    let releases = 0;
    const stop = startIdleMemory({ idleMs: 30_000, log: silentLogger(), cpuMicros: () => 0, release: () => void (releases += 1), collect: () => undefined });
    vi.advanceTimersByTime(31_000);
    expect(releases).toBe(1);
    vi.advanceTimersByTime(30_000);
    expect(releases).toBe(1);
    // 48 MiB of stream pages (Buffers): the heap proper hardly grows, the process does.
    const held = Array.from({ length: 48 }, () => Buffer.alloc(MiB, 1));
    vi.advanceTimersByTime(30_000);
    expect(releases).toBe(2);
    stop();
    expect(held).toHaveLength(48);
  });

  it('an idle server is not collected again until its heap has grown by 16 MiB', () => {
    const { state, stop } = setup();
    vi.advanceTimersByTime(31_000);
    expect(state.collections).toBe(2);
    vi.advanceTimersByTime(10 * 30_000);
    expect(state.collections).toBe(2);
    state.heap = 40 * MiB + 15 * MiB;
    vi.advanceTimersByTime(30_000);
    expect(state.collections).toBe(2);
    state.heap = 40 * MiB + 17 * MiB;
    vi.advanceTimersByTime(31_000);
    expect(state.collections).toBe(4);
    stop();
  });

  it('0 turns it off, and stop() cancels a pending second collection', () => {
    vi.useFakeTimers();
    let collections = 0;
    startIdleMemory({ idleMs: 0, log: silentLogger(), cpuMicros: () => 0, heapBytes: () => 500 * MiB, collect: () => void (collections += 1) });
    vi.advanceTimersByTime(10 * 60_000);
    expect(collections).toBe(0);
    const { state, stop } = setup();
    vi.advanceTimersByTime(30_000);
    stop();
    vi.advanceTimersByTime(5_000);
    expect(state.collections).toBe(1);
  });
});
