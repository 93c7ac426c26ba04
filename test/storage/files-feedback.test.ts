import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import type { Storage } from '../../src/storage/types.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

describe('feedback in the files backend', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("a journal compacted after many changed votes keeps each person's latest vote, and loses none across a restart", async () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    let storage: Storage = await openFilesStorage(temp.dir);
    const threadId = crypto.randomUUID();
    const now = new Date().toISOString();
    await storage.threads.create({ thread_id: threadId, created_at: now, updated_at: now, metadata: {}, status: 'idle', values: null, interrupts: {} });
    const runId = crypto.randomUUID();
    await storage.runs.put({
      run_id: runId,
      thread_id: threadId,
      assistant_id: crypto.randomUUID(),
      created_at: now,
      updated_at: now,
      status: 'success',
      metadata: {},
      kwargs: {},
      multitask_strategy: 'enqueue',
    });
    const path = join(temp.dir, 'threads', `${threadId}.jsonl`);
    // One vote given once, before everything else: it must outlive every compaction.
    await storage.feedback.put(threadId, runId, { key: 'user_score', score: 1, user: 'web:cy', at: new Date(Date.UTC(2025, 0, 1)).toISOString() });
    // Two people change their minds 600 times each: enough superseded lines to compact the journal.
    for (let round = 0; round < 600; round += 1) {
      for (const user of ['web:ana', 'web:bo']) {
        await storage.feedback.put(threadId, runId, { key: 'user_score', score: round % 2, user, at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, round)).toISOString() });
      }
    }
    const lines = readFileSync(path, 'utf8').trim().split('\n').length;
    expect(lines).toBeLessThan(600);
    expect(statSync(path).size).toBeLessThan(64 * 1024 * 2);
    expect((await storage.feedback.list(threadId, runId)).map((vote) => [vote.user, vote.score])).toEqual([
      ['web:cy', 1],
      ['web:ana', 1],
      ['web:bo', 1],
    ]);
    await storage.close();
    storage = await openFilesStorage(temp.dir);
    expect((await storage.feedback.list(threadId, runId)).map((vote) => [vote.user, vote.score])).toEqual([
      ['web:cy', 1],
      ['web:ana', 1],
      ['web:bo', 1],
    ]);
    await storage.close();
  });
});
