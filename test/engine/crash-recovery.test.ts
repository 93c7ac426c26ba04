import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../../src/engine/executor.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import { runTs, type Child } from '../helpers/child.ts';
import { startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const CRASHER = new URL('../fixtures/engine-crash.ts', import.meta.url).pathname;

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
    const [, threadId, ...runIds] = (await child.waitFor(/^ready /, 30_000)).split(' ') as [string, string, string, string, string];
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
  }, 60_000);

  it(`a run that was interrupted by ${MAX_ATTEMPTS} restarts is ended with an error instead of being retried forever`, async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const storage = await openFilesStorage(temp.dir);
    const now = new Date().toISOString();
    const threadId = crypto.randomUUID();
    await storage.threads.create({ thread_id: threadId, created_at: now, updated_at: now, metadata: { graph_id: 'slow' }, status: 'busy', values: null, interrupts: {} });
    const runId = crypto.randomUUID();
    await storage.runs.put({
      run_id: runId,
      thread_id: threadId,
      assistant_id: crypto.randomUUID(),
      created_at: now,
      updated_at: now,
      status: 'running',
      attempt: MAX_ATTEMPTS,
      metadata: {},
      kwargs: { input: userMessage('poison'), config: { configurable: { graph_id: 'slow', thread_id: threadId, run_id: runId } } },
      multitask_strategy: 'enqueue',
    });
    await storage.close();

    engine = await startTestEngine({ dataDir: temp.dir });
    const outcome = await engine.runs.join(threadId, runId);
    expect(outcome.status).toBe('error');
    expect(outcome.error?.message).toContain('server restarts');
    expect((await engine.threads.get(threadId)).status).toBe('error');
  });

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
