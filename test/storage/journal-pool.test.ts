import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { JournalPool, Sequence } from '../../src/storage/files/journal-pool.ts';
import type { Run, Thread } from '../../src/storage/types.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const KIB = 1024;

/** A thread whose values (a conversation, say) are about `bytes` of JSON. */
const thread = (id: string, bytes: number): Thread => ({
  thread_id: id,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  metadata: {},
  status: 'idle',
  values: { text: 'x'.repeat(bytes) },
  interrupts: {},
});

/** A finished run of `threadId` whose record is about `bytes` of JSON (a long input, say). */
const run = (threadId: string, bytes: number): Run => ({
  run_id: `${threadId}-run`,
  thread_id: threadId,
  assistant_id: 'a',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  status: 'success',
  metadata: { note: 'r'.repeat(bytes) },
  kwargs: {} as Run['kwargs'],
  multitask_strategy: 'enqueue',
});

describe('open thread journals bounded by bytes', () => {
  const temp = makeTempDir();
  let pool: JournalPool | undefined;
  afterEach(() => pool?.closeAll());
  afterAll(() => temp.cleanup());

  it('closes the least recently used journals once they hold more than the byte budget, under the count limit', () => {
    pool = new JournalPool(temp.dir, { maxOpen: 256, maxBytes: 100 * KIB });
    const seq = new Sequence();
    for (let i = 0; i < 10; i += 1) {
      const journal = pool.getOrCreate(`t${i}`);
      journal.putThread(thread(`t${i}`, 100), seq.next());
      journal.putRun(run(`t${i}`, 30 * KIB), seq.next());
    }
    // Weighed as they are handed out: touch each once more so every one counts its runs.
    for (let i = 0; i < 10; i += 1) pool.get(`t${i}`);
    expect(pool.openCount).toBeLessThanOrEqual(4);
    expect(pool.openCount).toBeGreaterThanOrEqual(3);
    expect(pool.heldBytes).toBeLessThanOrEqual(100 * KIB);
    // A closed journal reopens from its file with everything in it.
    const reopened = pool.get('t0');
    expect(reopened?.run('t0-run')?.metadata).toEqual({ note: 'r'.repeat(30 * KIB) });
    expect(pool.heldBytes).toBeLessThanOrEqual(100 * KIB);
  });

  it("a thread's values are not weighed: the journal does not hold them once nobody uses them, and reads them back from the file", () => {
    pool = new JournalPool(temp.dir, { maxOpen: 256, maxBytes: 100 * KIB });
    const seq = new Sequence();
    for (let i = 0; i < 10; i += 1) pool.getOrCreate(`v${i}`).putThread(thread(`v${i}`, 30 * KIB), seq.next());
    for (let i = 0; i < 10; i += 1) pool.get(`v${i}`);
    expect(pool.openCount).toBe(10);
    expect(pool.heldBytes).toBeLessThan(10 * KIB);
    expect(pool.get('v3')?.thread?.values).toEqual({ text: 'x'.repeat(30 * KIB) });
  });

  it('many small journals stay open together: the byte budget only bites for large ones', () => {
    pool = new JournalPool(temp.dir, { maxOpen: 256, maxBytes: 100 * KIB });
    const seq = new Sequence();
    for (let i = 0; i < 50; i += 1) pool.getOrCreate(`s${i}`).putThread(thread(`s${i}`, 100), seq.next());
    for (let i = 0; i < 50; i += 1) pool.get(`s${i}`);
    expect(pool.openCount).toBe(50);
  });

  it('one journal larger than the whole budget stays open while it is the one in use', () => {
    pool = new JournalPool(temp.dir, { maxOpen: 256, maxBytes: 10 * KIB });
    const seq = new Sequence();
    const big = pool.getOrCreate('big');
    big.putThread(thread('big', 100), seq.next());
    big.putRun(run('big', 50 * KIB), seq.next());
    expect(pool.get('big')).toBe(big);
    expect(pool.openCount).toBe(1);
  });
});
