import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../src/errors.ts';
import type { Run, Storage, Thread } from '../../src/storage/types.ts';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

async function threadWithRun(storage: Storage): Promise<{ threadId: string; runId: string }> {
  const now = at(0);
  const thread: Thread = { thread_id: crypto.randomUUID(), created_at: now, updated_at: now, metadata: {}, status: 'idle', values: null, interrupts: {} };
  await storage.threads.create(thread);
  const run: Run = {
    run_id: crypto.randomUUID(),
    thread_id: thread.thread_id,
    assistant_id: crypto.randomUUID(),
    created_at: now,
    updated_at: now,
    status: 'success',
    metadata: {},
    kwargs: {},
    multitask_strategy: 'enqueue',
  };
  await storage.runs.put(run);
  return { threadId: thread.thread_id, runId: run.run_id };
}

/** Feedback on runs, part of the storage contract: every backend runs these. */
export function feedbackContract(current: () => Storage, reopen: () => Promise<Storage>): void {
  describe('run feedback', () => {
    it('keeps one vote per user and key: a second vote replaces the first and says what it replaced; lists oldest first', async () => {
      const { threadId, runId } = await threadWithRun(current());
      const feedback = current().feedback;
      expect(await feedback.put(threadId, runId, { key: 'user_score', score: 1, user: 'slack:T1:U1', at: at(1) })).toBeNull();
      expect(await feedback.put(threadId, runId, { key: 'user_score', score: 1, user: 'discord:42', at: at(2) })).toBeNull();
      expect(await feedback.put(threadId, runId, { key: 'user_score', score: 0, user: 'slack:T1:U1', at: at(3) })).toEqual({
        key: 'user_score',
        score: 1,
        user: 'slack:T1:U1',
        at: at(1),
      });
      expect(await feedback.list(threadId, runId)).toEqual([
        { key: 'user_score', score: 1, user: 'discord:42', at: at(2) },
        { key: 'user_score', score: 0, user: 'slack:T1:U1', at: at(3) },
      ]);
      // Another key from the same person is another vote.
      await feedback.put(threadId, runId, { key: 'helpful', score: 0.5, user: 'slack:T1:U1', at: at(4) });
      expect((await feedback.list(threadId, runId)).map((vote) => [vote.user, vote.key, vote.score])).toEqual([
        ['discord:42', 'user_score', 1],
        ['slack:T1:U1', 'user_score', 0],
        ['slack:T1:U1', 'helpful', 0.5],
      ]);
    });

    it('keeps runs apart, refuses a run that does not exist (or is not in that thread), and survives a restart', async () => {
      const first = await threadWithRun(current());
      const second = await threadWithRun(current());
      await current().feedback.put(first.threadId, first.runId, { key: 'user_score', score: 1, user: 'web:ana', at: at(1) });
      expect(await current().feedback.list(second.threadId, second.runId)).toEqual([]);
      const refusal = await current()
        .feedback.put(second.threadId, first.runId, { key: 'user_score', score: 1, user: 'web:ana', at: at(2) })
        .catch((error: unknown) => error);
      expect(isSwitchboardError(refusal, 'not_found')).toBe(true);
      await expect(current().feedback.put(first.threadId, crypto.randomUUID(), { key: 'user_score', score: 1, user: 'web:ana', at: at(2) })).rejects.toMatchObject({
        code: 'not_found',
      });
      const storage = await reopen();
      expect(await storage.feedback.list(first.threadId, first.runId)).toEqual([{ key: 'user_score', score: 1, user: 'web:ana', at: at(1) }]);
    });

    it('goes with its run: deleting the run, or every run of its thread, deletes its feedback', async () => {
      const storage = current();
      const one = await threadWithRun(storage);
      await storage.feedback.put(one.threadId, one.runId, { key: 'user_score', score: 1, user: 'web:ana', at: at(1) });
      await storage.runs.delete(one.threadId, one.runId);
      expect(await storage.feedback.list(one.threadId, one.runId)).toEqual([]);
      const two = await threadWithRun(storage);
      await storage.feedback.put(two.threadId, two.runId, { key: 'user_score', score: 0, user: 'web:bo', at: at(1) });
      await storage.runs.deleteByThread(two.threadId);
      expect(await storage.feedback.list(two.threadId, two.runId)).toEqual([]);
      // A run stored again under the same id starts with no feedback.
      const again: Run = {
        run_id: two.runId,
        thread_id: two.threadId,
        assistant_id: crypto.randomUUID(),
        created_at: at(5),
        updated_at: at(5),
        status: 'success',
        metadata: {},
        kwargs: {},
        multitask_strategy: 'enqueue',
      };
      await storage.runs.put(again);
      expect(await storage.feedback.list(two.threadId, two.runId)).toEqual([]);
    });
  });
}
