import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSwitchboardError, type SwitchboardError } from '../../src/errors.ts';
import type { RunOutcome } from '../../src/engine/executor.ts';
import type { MultitaskStrategy, Run } from '../../src/storage/types.ts';
import { startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';

/**
 * Double texting under pressure: 50 runs fired at one thread as fast as possible, against
 * a graph that takes time, for each strategy; the invariants each strategy promises.
 */
describe('double texting', () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine({ workers: 4 });
  });
  afterEach(async () => engine.dispose());

  const BURST = 50;

  async function fire(threadId: string, strategy: MultitaskStrategy, delayMs: number) {
    const settled = await Promise.allSettled(
      Array.from({ length: BURST }, (_v, i) =>
        engine.runs.create(threadId, {
          assistant_id: 'slow',
          input: userMessage(`m${i}`),
          multitask_strategy: strategy,
          config: { configurable: { delay_ms: delayMs } },
        }),
      ),
    );
    const accepted = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refused = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as SwitchboardError] : []));
    // Acceptance order: run ids are time-ordered and assigned when a run joins the queue.
    accepted.sort((a, b) => (a.run_id < b.run_id ? -1 : 1));
    return { accepted, refused };
  }

  const joinAll = (threadId: string, runs: Run[]) => Promise.all(runs.map((run) => engine.runs.join(threadId, run.run_id)));
  const humanTexts = (values: Record<string, unknown> | null) =>
    ((values?.messages ?? []) as Array<{ type: string; content: string }>).filter((message) => message.type === 'human').map((message) => message.content);

  async function assertNothingLeftRunning(threadId: string) {
    expect(await engine.runs.inflight(threadId)).toEqual([]);
    const stored = await engine.runs.list(threadId, { limit: 1000 });
    expect(stored.filter((run) => run.status === 'pending' || run.status === 'running')).toEqual([]);
    expect((await engine.threads.get(threadId)).status).toBe('idle');
  }

  it('enqueue keeps order under 50 rapid messages: all succeed, in order, each seeing the previous', async () => {
    const thread = await engine.threads.create();
    const { accepted, refused } = await fire(thread.thread_id, 'enqueue', 2);
    expect(refused).toEqual([]);
    expect(accepted).toHaveLength(BURST);
    const outcomes = await joinAll(thread.thread_id, accepted);
    expect(outcomes.every((outcome) => outcome.status === 'success')).toBe(true);
    const order = humanTexts(outcomes.at(-1)!.values);
    expect(order).toHaveLength(BURST);
    // Each run saw exactly the runs accepted before it, in acceptance order.
    outcomes.forEach((outcome, position) => {
      expect(humanTexts(outcome.values)).toEqual(order.slice(0, position + 1));
    });
    const steps = outcomes.at(-1)!.values!.steps as string[];
    expect(steps).toEqual(order.flatMap((text) => [`first:${text}`, `second:${text}`]));
    await assertNothingLeftRunning(thread.thread_id);
  });

  it('reject refuses every message while a run is in flight, naming that run, and loses nothing silently', async () => {
    const thread = await engine.threads.create();
    // The run must outlast the whole burst: on PostgreSQL under load, 50 creates took longer
    // than a 300 ms run, and the messages after it ended were rightly accepted.
    const { accepted, refused } = await fire(thread.thread_id, 'reject', 3_000);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(BURST - 1);
    for (const error of refused) {
      expect(isSwitchboardError(error, 'conflict')).toBe(true);
      expect(error.details).toMatchObject({ run_id: accepted[0]!.run_id, thread_id: thread.thread_id });
    }
    const [outcome] = await joinAll(thread.thread_id, accepted);
    expect(outcome!.status).toBe('success');
    expect(humanTexts(outcome!.values)).toHaveLength(1);
    expect(await engine.runs.list(thread.thread_id, { limit: 100 })).toHaveLength(1);
    await assertNothingLeftRunning(thread.thread_id);
  });

  it('interrupt stops the run in flight at once, keeps what started runs wrote, and runs the newest message', async () => {
    const thread = await engine.threads.create();
    // Each run must still be going when the next message comes: a 100 ms run sometimes
    // finished first on PostgreSQL under load (and rightly ended a success).
    const { accepted } = await fire(thread.thread_id, 'interrupt', 3_000);
    expect(accepted).toHaveLength(BURST);
    const outcomes = await joinAll(thread.thread_id, accepted);
    const last = outcomes.at(-1)!;
    expect(last.status).toBe('success');
    expect(outcomes.slice(0, -1).every((outcome) => outcome.status === 'interrupted')).toBe(true);
    const stored = await Promise.all(accepted.map((run) => engine.runs.get(thread.thread_id, run.run_id)));
    expect(stored.map((run) => run.status)).toEqual([...Array(BURST - 1).fill('interrupted'), 'success']);

    // Exactly the runs that got past their input left it in the thread; the others left
    // nothing of it (LangGraph does not apply the input of a run stopped between storing its
    // input checkpoint and its first step, whose writes stay pending on that checkpoint).
    const history = await engine.threads.history(thread.thread_id, { limit: 10_000 });
    const started = new Set(history.filter((state) => state.metadata.source !== 'input').map((state) => state.metadata.run_id));
    const expected = accepted.filter((run) => started.has(run.run_id)).map((run) => (run.kwargs.input as { messages: Array<{ content: string }> }).messages[0]!.content);
    const final = await engine.threads.getState(thread.thread_id);
    expect(humanTexts(final.values)).toEqual(expected);
    expect(expected.at(-1)).toBe(`m${BURST - 1}`);
    const seconds = (final.values.steps as string[]).filter((step) => step.startsWith('second:'));
    expect(seconds).toEqual([`second:m${BURST - 1}`]);
    await assertNothingLeftRunning(thread.thread_id);
  });

  it('rollback erases every earlier run and everything it wrote: only the newest message remains', async () => {
    const thread = await engine.threads.create();
    await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('base') });
    const before = await engine.threads.history(thread.thread_id, { limit: 10_000 });
    const { accepted } = await fire(thread.thread_id, 'rollback', 100);
    const outcomes = await joinAll(thread.thread_id, accepted);
    expect(outcomes.at(-1)!.status).toBe('success');
    expect(outcomes.slice(0, -1).every((outcome) => outcome.rolled_back)).toBe(true);
    for (const run of accepted.slice(0, -1)) {
      await expect(engine.runs.get(thread.thread_id, run.run_id)).rejects.toSatisfy((error) => isSwitchboardError(error, 'not_found'));
    }
    const final = await engine.threads.getState(thread.thread_id);
    expect(humanTexts(final.values)).toEqual(['base', `m${BURST - 1}`]);
    expect(final.values.steps).toEqual(['first:base', 'second:base', `first:m${BURST - 1}`, `second:m${BURST - 1}`]);
    const after = await engine.threads.history(thread.thread_id, { limit: 10_000 });
    const lastRunId = accepted.at(-1)!.run_id;
    expect(after.filter((state) => state.metadata.run_id !== lastRunId).map((state) => state.checkpoint!.checkpoint_id)).toEqual(
      before.map((state) => state.checkpoint!.checkpoint_id),
    );
    expect((await engine.runs.list(thread.thread_id, { limit: 100 })).length).toBe(2);
    await assertNothingLeftRunning(thread.thread_id);
  });

  it('rollback of a resumed run restores the thread exactly: same checkpoints, same pending writes, same interrupt', async () => {
    const thread = await engine.threads.create();
    const asked = await engine.runs.wait(thread.thread_id, { assistant_id: 'askThenWork', input: userMessage('start') });
    expect(asked.outcome.status).toBe('interrupted');
    const snapshot = async () => {
      const tuples = [];
      for await (const tuple of engine.storage.checkpointer.list({ configurable: { thread_id: thread.thread_id } })) {
        tuples.push({ id: tuple.checkpoint.id, ns: tuple.config.configurable?.checkpoint_ns, writes: tuple.pendingWrites, values: tuple.checkpoint.channel_values });
      }
      return tuples;
    };
    const before = await snapshot();
    const threadBefore = await engine.threads.get(thread.thread_id);

    const resumed = await engine.runs.create(thread.thread_id, {
      assistant_id: 'askThenWork',
      command: { resume: 'yes' },
      config: { configurable: { delay_ms: 5_000 } },
    });
    // Wait until the resumed run has written past the interrupt, then roll it back.
    for (let i = 0; i < 200 && (await snapshot()).length === before.length; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await snapshot()).length).toBeGreaterThan(before.length);
    const started = performance.now();
    await engine.runs.cancel(thread.thread_id, resumed.run_id, { action: 'rollback', wait: true });
    expect(performance.now() - started).toBeLessThan(2_000);

    expect(await snapshot()).toEqual(before);
    const threadAfter = await engine.threads.get(thread.thread_id);
    expect(threadAfter.status).toBe('interrupted');
    expect(threadAfter.interrupts).toEqual(threadBefore.interrupts);
    expect(threadAfter.values).toEqual(threadBefore.values);
    // And the question can still be answered.
    const answered = await engine.runs.wait(thread.thread_id, { assistant_id: 'askThenWork', command: { resume: 'later' } });
    expect(answered.outcome.values).toMatchObject({ worked: ['worked:later'] });
  });

  it('the strategy comes from the assistant when the run names none, and defaults to enqueue', async () => {
    const rejecting = await engine.assistants.create({ graph_id: 'slow', name: 'strict', metadata: { multitask_strategy: 'reject' } });
    const thread = await engine.threads.create();
    const first = await engine.runs.create(thread.thread_id, { assistant_id: rejecting.assistant_id, input: userMessage('a'), config: { configurable: { delay_ms: 200 } } });
    await expect(engine.runs.create(thread.thread_id, { assistant_id: rejecting.assistant_id, input: userMessage('b') })).rejects.toSatisfy((error) =>
      isSwitchboardError(error, 'conflict'),
    );
    const queued = await engine.runs.create(thread.thread_id, { assistant_id: 'slow', input: userMessage('c') });
    expect(queued.multitask_strategy).toBe('enqueue');
    expect((await engine.runs.join(thread.thread_id, queued.run_id)).status).toBe('success');
    expect((await engine.runs.join(thread.thread_id, first.run_id)).status).toBe('success');
  });
});

describe('cancel', () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine();
  });
  afterEach(async () => engine.dispose());

  const slowRun = (threadId: string, text: string, delayMs = 5_000) =>
    engine.runs.create(threadId, { assistant_id: 'slow', input: userMessage(text), config: { configurable: { delay_ms: delayMs } } });

  async function whenRunning(threadId: string, runId: string) {
    for (let i = 0; i < 500; i += 1) {
      if ((await engine.runs.get(threadId, runId)).status === 'running') return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('the run never started');
  }

  async function whenFirstStepDone(threadId: string) {
    for (let i = 0; i < 500; i += 1) {
      if (((await engine.threads.getState(threadId)).values.steps as string[] | undefined)?.length) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('the first step never finished');
  }

  it('cancel with interrupt stops a running run at once; it ends interrupted, keeping its progress, and join reports it', async () => {
    const thread = await engine.threads.create();
    const run = await slowRun(thread.thread_id, 'x');
    await whenFirstStepDone(thread.thread_id);
    const started = performance.now();
    await engine.runs.cancel(thread.thread_id, run.run_id, { action: 'interrupt', wait: true });
    expect(performance.now() - started).toBeLessThan(1_000);
    const outcome: RunOutcome = await engine.runs.join(thread.thread_id, run.run_id);
    expect(outcome.status).toBe('interrupted');
    expect((await engine.runs.get(thread.thread_id, run.run_id)).status).toBe('interrupted');
    expect((await engine.threads.getState(thread.thread_id)).values.steps).toEqual(['first:x']);
    expect((await engine.threads.get(thread.thread_id)).status).toBe('idle');
  });

  it('cancel with rollback removes the run and what it wrote', async () => {
    const thread = await engine.threads.create();
    const run = await slowRun(thread.thread_id, 'gone');
    await whenRunning(thread.thread_id, run.run_id);
    await engine.runs.cancel(thread.thread_id, run.run_id, { action: 'rollback', wait: true });
    expect((await engine.runs.join(thread.thread_id, run.run_id)).rolled_back).toBe(true);
    await expect(engine.runs.get(thread.thread_id, run.run_id)).rejects.toSatisfy((error) => isSwitchboardError(error, 'not_found'));
    expect((await engine.threads.getState(thread.thread_id)).checkpoint).toBeNull();
  });

  it('cancels a pending run before it starts, and cancel-all stops every run of a thread', async () => {
    const thread = await engine.threads.create();
    const first = await slowRun(thread.thread_id, 'one');
    const second = await slowRun(thread.thread_id, 'two');
    const third = await slowRun(thread.thread_id, 'three');
    await engine.runs.cancel(thread.thread_id, second.run_id, { wait: true });
    expect((await engine.runs.get(thread.thread_id, second.run_id)).status).toBe('interrupted');
    const cancelled = await engine.runs.cancelAll(thread.thread_id, { wait: true });
    expect(cancelled.sort()).toEqual([first.run_id, third.run_id].sort());
    const statuses = await Promise.all([first, third].map(async (run) => (await engine.runs.join(thread.thread_id, run.run_id)).status));
    expect(statuses).toEqual(['interrupted', 'interrupted']);
    expect(await engine.runs.inflight(thread.thread_id)).toEqual([]);
  });

  it('cancelling a finished run changes nothing', async () => {
    const thread = await engine.threads.create();
    const { run } = await engine.runs.wait(thread.thread_id, { assistant_id: 'slow', input: userMessage('done') });
    await engine.runs.cancel(thread.thread_id, run.run_id, { wait: true });
    expect((await engine.runs.get(thread.thread_id, run.run_id)).status).toBe('success');
  });

  it('a client that disconnects from a stream cancels the run only if it asked to', async () => {
    const thread = await engine.threads.create();
    for (const cancelOnDisconnect of [true, false]) {
      const run = await slowRun(thread.thread_id, `d-${cancelOnDisconnect}`, 300);
      const controller = new AbortController();
      for await (const event of engine.runs.stream(thread.thread_id, run.run_id, { signal: controller.signal, cancelOnDisconnect })) {
        if (event.event === 'metadata') controller.abort();
      }
      const outcome = await engine.runs.join(thread.thread_id, run.run_id);
      expect(outcome.status).toBe(cancelOnDisconnect ? 'interrupted' : 'success');
    }
  });

  it('deleting a thread stops its runs first', async () => {
    const thread = await engine.threads.create();
    const run = await slowRun(thread.thread_id, 'bye');
    await whenRunning(thread.thread_id, run.run_id);
    await engine.threads.delete(thread.thread_id);
    expect((await engine.runs.join(thread.thread_id, run.run_id)).status).toBe('interrupted');
    expect(await engine.threads.find(thread.thread_id)).toBeNull();
    expect(await engine.runs.inflight(thread.thread_id)).toEqual([]);
  });
});
