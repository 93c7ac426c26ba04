import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../../src/engine/executor.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import { runTs, type Child } from '../helpers/child.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const CRASHER = new URL('../fixtures/engine-crash.ts', import.meta.url).pathname;
const RESTARTER = new URL('../fixtures/engine-restart-hold.ts', import.meta.url).pathname;

/**
 * Crash-recovery policy: after SIGKILL and a restart, every accepted run still runs, in
 * order; a run that was running starts again with the same id and LangGraph resumes it
 * from its last checkpoint (finished steps are not run twice, its input is not applied
 * twice); a run that kept crashing the process is ended `error` after MAX_ATTEMPTS.
 */
describe('crash recovery', () => {
  const children: Child[] = [];
  const temps: Array<{ dir: string; cleanup: () => void }> = [];
  let engine: TestEngine | undefined;
  afterEach(async () => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    await engine?.dispose();
    engine = undefined;
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  it('after SIGKILL mid-run, a restart finishes the running run from its checkpoint and then the queued ones, in order', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const child = runTs(CRASHER, [temp.dir], { CRASH_HOLD: '1' });
    children.push(child);
    const [, threadId, ...runIds] = (await child.waitFor(/^ready /, 90_000)).split(' ') as [string, string, string, string, string];
    child.process.kill('SIGKILL');
    await child.exited;

    engine = await startTestEngine({ dataDir: temp.dir });
    const outcomes = await Promise.all(runIds.map((runId) => engine!.runs.join(threadId, runId)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['success', 'success', 'success']);
    const state = await engine.threads.getState(threadId);
    // The interrupted run resumed inside its second step: nothing ran twice, nothing was lost.
    expect(state.values.steps).toEqual(['first:a', 'second:a', 'first:b', 'second:b', 'first:c', 'second:c']);
    const humans = (state.values.messages as Array<{ type: string }>).filter((message) => message.type === 'human');
    expect(humans).toHaveLength(3);
    expect((await engine.runs.get(threadId, runIds[0]!)).attempt).toBe(2);
    expect((await engine.runs.get(threadId, runIds[1]!)).attempt).toBe(1);
    expect((await engine.threads.get(threadId)).status).toBe('idle');
  }, 180_000);

  it(`a run that was interrupted by ${MAX_ATTEMPTS} restarts is ended with an error instead of being retried forever`, async () => {
    const temp = makeTempDir();
    temps.push(temp);
    // Each start resumes the run (attempt 1, 2, 3) and is killed while the run holds.
    let ids: string[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const child = runTs(RESTARTER, [temp.dir, ...ids], { CRASH_HOLD: '1' });
      children.push(child);
      const [, threadId, runId, seen] = (await child.waitFor(/^running /, 90_000)).split(' ') as [string, string, string, string];
      expect(Number(seen)).toBe(attempt);
      ids = [threadId, runId];
      child.process.kill('SIGKILL');
      await child.exited;
    }
    const [threadId, runId] = ids as [string, string];
    engine = await startTestEngine({ dataDir: temp.dir });
    const outcome = await engine.runs.join(threadId, runId);
    expect(outcome.status).toBe('error');
    expect(outcome.error?.message).toContain(`interrupted by ${MAX_ATTEMPTS} server restarts`);
    const run = await engine.runs.get(threadId, runId);
    expect(run.status).toBe('error');
    expect(run.attempt).toBe(MAX_ATTEMPTS + 1);
    expect((await engine.threads.get(threadId)).status).toBe('error');
  }, 360_000);

  it('a thread left busy with no run in the queue (a crash between a run end and the thread update) is put right when read', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const storage = await openFilesStorage(temp.dir);
    const now = new Date().toISOString();
    const threadId = crypto.randomUUID();
    await storage.threads.create({ thread_id: threadId, created_at: now, updated_at: now, metadata: {}, status: 'busy', values: null, interrupts: {} });
    await storage.close();
    engine = await startTestEngine({ dataDir: temp.dir });
    expect((await engine.threads.get(threadId)).status).toBe('idle');
    expect((await engine.threads.search({ status: 'busy' })).total).toBe(0);
  });
});
