import { afterEach, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../src/errors.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

const say = (content: string) => ({ messages: [{ role: 'user', content }] });

/** The `runs` section of the config file, through the whole start-up (config file -> engine). */
describe('config: runs', () => {
  let t: TestSwitchboard | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it("runs.timeout_seconds ends a run past it with status timeout, a run's own timeout_seconds replaces it, and the thread stays usable", async () => {
    t = await startTestSwitchboard({ config: { runs: { timeout_seconds: 1 } } });
    const engine = t.sb.engine;
    // The offline model, one token every 60 ms: a few seconds of answer.
    const slow = await engine.assistants.create({ graph_id: 'chat', config: { configurable: { token_delay_ms: 60 } } });
    const thread = await engine.threads.create();
    const started = Date.now();
    const run = await engine.runs.create(thread.thread_id, { assistant_id: slow.assistant_id, input: say('take your time'), stream_mode: ['messages-tuple'] });
    expect((await engine.runs.join(thread.thread_id, run.run_id)).status).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    // A run's own limit replaces the configured one: with 10 s the same answer finishes.
    const own = await engine.runs.create(thread.thread_id, {
      assistant_id: slow.assistant_id,
      input: say('take your time'),
      stream_mode: ['messages-tuple'],
      timeout_seconds: 10,
    } as never);
    expect((await engine.runs.join(thread.thread_id, own.run_id)).status).toBe('success');
    // The thread stays usable.
    const quick = await engine.runs.create(thread.thread_id, { assistant_id: 'chat', input: say('hi') });
    expect((await engine.runs.join(thread.thread_id, quick.run_id)).status).toBe('success');
  });

  it('runs.default_multitask_strategy applies to a run that names none (reject here), and a run may still choose its own', async () => {
    t = await startTestSwitchboard({ config: { runs: { default_multitask_strategy: 'reject' } } });
    const engine = t.sb.engine;
    const slow = await engine.assistants.create({ graph_id: 'chat', config: { configurable: { token_delay_ms: 50 } } });
    const thread = await engine.threads.create();
    const first = await engine.runs.create(thread.thread_id, { assistant_id: slow.assistant_id, input: say('first'), stream_mode: ['messages-tuple'] });
    const refused = await engine.runs.create(thread.thread_id, { assistant_id: slow.assistant_id, input: say('second') }).catch((error: unknown) => error);
    expect(isSwitchboardError(refused, 'conflict')).toBe(true);
    expect((refused as Error).message).toContain(first.run_id);
    const queued = await engine.runs.create(thread.thread_id, {
      assistant_id: slow.assistant_id,
      input: say('third'),
      stream_mode: ['messages-tuple'],
      multitask_strategy: 'enqueue',
    });
    expect((await engine.runs.join(thread.thread_id, queued.run_id)).status).toBe('success');
    const runs = await engine.runs.list(thread.thread_id);
    expect(runs.map((run) => run.run_id).sort()).toEqual([first.run_id, queued.run_id].sort());
    expect(runs.find((run) => run.run_id === first.run_id)?.multitask_strategy).toBe('reject');
  });
});
