import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';

/** The engine's own cron timer (no test calling `tick`): a due cron fires by itself, once. */
describe('cron timer', () => {
  let engine: TestEngine | undefined;
  afterEach(async () => {
    await engine?.dispose();
    engine = undefined;
  });

  it('fires a cron by itself once its time comes, once per time, and not before', async () => {
    // The engine's clock, moved by the test; the timer checks it every 50 ms.
    let clock = Date.parse('2026-03-02T08:58:00.000Z');
    engine = await startTestEngine({ cronIntervalMs: 50, now: () => new Date(clock) });
    const thread = await engine.threads.create();
    const cron = await engine.crons.create(thread.thread_id, { assistant_id: 'slow', schedule: '0 9 * * *', input: userMessage('morning') });
    expect(cron.next_run_date).toBe('2026-03-02T09:00:00.000Z');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await engine.runs.list(thread.thread_id)).toEqual([]);
    clock = Date.parse('2026-03-02T09:00:01.000Z');
    await eventually(async () => expect(await engine!.runs.list(thread.thread_id)).toHaveLength(1), 5_000);
    const [run] = await engine.runs.list(thread.thread_id);
    expect((await engine.runs.join(thread.thread_id, run!.run_id)).status).toBe('success');
    // Several more timer ticks in the same minute fire nothing more; the next day's time is set.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await engine.runs.list(thread.thread_id)).toHaveLength(1);
    expect((await engine.crons.get(cron.cron_id)).next_run_date).toBe('2026-03-03T09:00:00.000Z');
  });
});
