import { expect } from 'vitest';

/** What five rapid messages ('first' … 'fifth') left behind, as a platform test reads it. */
export interface BurstOutcome {
  /** The human messages in the thread's state, in order. */
  humans: string[];
  /** The bot's replies in the conversation, in order. */
  replies: string[];
  runs: Array<{ status: string }>;
}

export const BURST = ['first', 'second', 'third', 'fourth', 'fifth'];

/** `interrupt`: the answers in flight stop (and say so), the newest is answered in full, every message stays in the thread. */
export function expectInterrupted({ humans, replies, runs }: BurstOutcome): void {
  expect(humans).toEqual(BURST);
  expect(runs[0]!.status).toBe('success');
  expect(runs.slice(1).every((run) => run.status === 'interrupted')).toBe(true);
  expect(replies.at(-1)).toMatch(/^You said: "fifth"/);
  // A reply cut short says so instead of pretending to be complete.
  for (const reply of replies.slice(0, -1)) expect(reply).toContain('_(stopped)_');
}

/** `rollback`: the earlier runs are erased; the thread holds only the newest message, and a replaced reply says so. */
export function expectRolledBack({ humans, replies }: BurstOutcome): void {
  expect(humans).toEqual(['fifth']);
  expect(replies.at(-1)).toMatch(/^You said: "fifth". This is message 1/);
  for (const reply of replies.slice(0, -1)) expect(reply).toContain('replaced by your newer message');
}

/** `collect`: one run, for the whole burst as one message. */
export function expectCollected({ humans, replies, runs }: BurstOutcome): void {
  expect(runs).toHaveLength(1);
  expect(humans).toEqual([BURST.join('\n')]);
  expect(replies).toHaveLength(1);
}
