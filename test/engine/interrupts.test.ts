import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InterruptRecord } from '../../src/storage/types.ts';
import { collect, startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';

describe('human in the loop', () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine();
  });
  afterEach(async () => engine.dispose());

  async function askApproval(threadId: string) {
    return engine.runs.wait(threadId, { assistant_id: 'approval', input: userMessage('deploy v2') });
  }

  it('a graph that calls interrupt() ends its run interrupted and the thread lists the pending interrupt', async () => {
    const thread = await engine.threads.create();
    const { outcome } = await askApproval(thread.thread_id);
    expect(outcome.status).toBe('interrupted');
    expect(outcome.interrupts).toHaveLength(1);
    const [pending] = outcome.interrupts as [InterruptRecord];
    expect(pending.id).toMatch(/^[0-9a-f]{32}$/);
    expect(pending.value).toMatchObject({ question: expect.stringContaining('deploy v2'), allow_free_text: true });
    expect((pending.value as { options: Array<{ value: string }> }).options.map((option) => option.value)).toEqual(['approve', 'reject', 'edit']);
    expect(outcome.values).toMatchObject({ __interrupt__: [pending] });

    const stored = await engine.threads.get(thread.thread_id);
    expect(stored.status).toBe('interrupted');
    expect(Object.values(stored.interrupts).flat()).toEqual([pending]);
    const state = await engine.threads.getState(thread.thread_id);
    expect(state.next).toEqual(['review']);
    expect(state.interrupts).toEqual([pending]);
    expect(state.tasks[0]!.interrupts).toEqual([pending]);
  });

  it('resumes with Command resume from a background run', async () => {
    const thread = await engine.threads.create();
    await askApproval(thread.thread_id);
    const run = await engine.runs.create(thread.thread_id, { assistant_id: 'approval', command: { resume: 'approve' } });
    const outcome = await engine.runs.join(thread.thread_id, run.run_id);
    expect(outcome.status).toBe('success');
    expect(outcome.values).toMatchObject({ decision: 'approve' });
    const thread2 = await engine.threads.get(thread.thread_id);
    expect(thread2.status).toBe('idle');
    expect(thread2.interrupts).toEqual({});
  });

  it('resumes with a wait run', async () => {
    const thread = await engine.threads.create();
    await askApproval(thread.thread_id);
    const { outcome } = await engine.runs.wait(thread.thread_id, { assistant_id: 'approval', command: { resume: 'reject' } });
    const messages = outcome.values!.messages as Array<{ content: string }>;
    expect(messages.at(-1)!.content).toBe('Rejected: nothing was sent.');
  });

  it('resumes with a streamed run, and the interrupt itself is streamed', async () => {
    const thread = await engine.threads.create();
    const first = await engine.runs.create(thread.thread_id, { assistant_id: 'approval', input: userMessage('ship'), stream_mode: ['updates', 'values'] });
    const events = await collect(engine.runs.stream(thread.thread_id, first.run_id));
    const interruptUpdate = events.find((event) => event.event === 'updates' && '__interrupt__' in (event.data as object));
    expect(interruptUpdate).toBeDefined();
    const resumed = await engine.runs.create(thread.thread_id, {
      assistant_id: 'approval',
      command: { resume: { action: 'edit', text: 'ship v3 instead' } },
      stream_mode: ['updates'],
    });
    const resumedEvents = await collect(engine.runs.stream(thread.thread_id, resumed.run_id));
    const nodes = resumedEvents.filter((event) => event.event === 'updates').map((event) => Object.keys(event.data as object)[0]);
    expect(nodes).toEqual(['review', 'act']);
    const state = await engine.threads.getState(thread.thread_id);
    expect(state.values.decision).toBe('edit');
    expect((state.values.messages as Array<{ content: string }>).at(-1)!.content).toContain('ship v3 instead');
  });

  it('resumes several interrupts at once with a map of interrupt id to value', async () => {
    const thread = await engine.threads.create();
    const { outcome } = await engine.runs.wait(thread.thread_id, { assistant_id: 'questions', input: { topics: ['tea', 'coffee'] } });
    expect(outcome.status).toBe('interrupted');
    expect(outcome.interrupts).toHaveLength(2);
    const resume: Record<string, string> = {};
    for (const pending of outcome.interrupts) {
      resume[pending.id] = (pending.value as { question: string }).question.includes('tea') ? 'green' : 'black';
    }
    const done = await engine.runs.wait(thread.thread_id, { assistant_id: 'questions', command: { resume } });
    expect(done.outcome.status).toBe('success');
    expect([...(done.outcome.values!.answers as string[])].sort()).toEqual(['coffee=black', 'tea=green']);
  });

  it('command update and goto change state and route the next step', async () => {
    const thread = await engine.threads.create();
    await askApproval(thread.thread_id);
    const { outcome } = await engine.runs.wait(thread.thread_id, {
      assistant_id: 'approval',
      command: { update: { proposal: 'Send this to the team: "overridden"', decision: 'approve' }, goto: 'act' },
    });
    const messages = outcome.values!.messages as Array<{ content: string }>;
    expect(messages.at(-1)!.content).toContain('overridden');
  });

  it('a resumed interrupt survives a restart of the engine', async () => {
    const thread = await engine.threads.create();
    await askApproval(thread.thread_id);
    const dataDir = engine.dataDir;
    await engine.stop();
    const restarted = await startTestEngine({ dataDir });
    try {
      expect((await restarted.threads.get(thread.thread_id)).status).toBe('interrupted');
      const { outcome } = await restarted.runs.wait(thread.thread_id, { assistant_id: 'approval', command: { resume: 'approve' } });
      expect(outcome.values).toMatchObject({ decision: 'approve' });
    } finally {
      await restarted.dispose();
    }
  });
});
