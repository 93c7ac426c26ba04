import { AIMessage } from '@langchain/core/messages';
import { END, interrupt, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';
import { echoConfigGraph } from '../helpers/graphs.ts';

/** Asks, then answers with the caller keys it was run with (as a graph needing `user_id` reads them). */
const askThenEcho = new StateGraph(MessagesAnnotation)
  .addNode('ask', (_state, config: LangGraphRunnableConfig) => {
    const answer = interrupt('who are you?');
    const configurable = (config.configurable ?? {}) as Record<string, unknown>;
    const seen = { answer, user_id: configurable.user_id ?? null, auth: configurable.langgraph_auth_user_id ?? null };
    return { messages: [new AIMessage(JSON.stringify(seen))] };
  })
  .addEdge(START, 'ask')
  .addEdge('ask', END)
  .compile();

const lastJson = (values: Record<string, unknown> | null) => {
  const messages = values?.messages as Array<{ content: string }> | undefined;
  return JSON.parse(messages?.at(-1)?.content ?? 'null');
};

describe("a thread carries its runs' configurable into its next run, as the Platform's thread config does", () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine({ graphs: { askThenEcho, echo: echoConfigGraph } });
  });
  afterEach(async () => engine.dispose());

  it('a resume that sends no config runs with the user_id the interrupted run was given, not with its identity', async () => {
    const thread = await engine.threads.create();
    const first = await engine.runs.wait(thread.thread_id, {
      assistant_id: 'askThenEcho',
      input: userMessage('hi'),
      config: { configurable: { user_id: 'u-123', langgraph_auth_user_id: 'alice' } },
    });
    expect(first.outcome.status).toBe('interrupted');
    const resumed = await engine.runs.wait(thread.thread_id, { assistant_id: 'askThenEcho', command: { resume: 'bob' } });
    expect(resumed.outcome.status).toBe('success');
    // Custom auth sets the identity on every request: one caller's identity never passes to the next.
    expect(lastJson(resumed.outcome.values)).toEqual({ answer: 'bob', user_id: 'u-123', auth: null });
  });

  it("keys add up over runs and a run's own keys win", async () => {
    const thread = await engine.threads.create();
    await engine.runs.wait(thread.thread_id, { assistant_id: 'echo', input: userMessage('1'), config: { configurable: { style: 'terse', tone: 'dry' } } });
    await engine.runs.wait(thread.thread_id, { assistant_id: 'echo', input: userMessage('2'), config: { configurable: { tone: 'warm' } } });
    const third = await engine.runs.wait(thread.thread_id, { assistant_id: 'echo', input: userMessage('3') });
    expect(lastJson(third.outcome.values)).toMatchObject({ style: 'terse', tone: 'warm' });
    const own = await engine.runs.wait(thread.thread_id, { assistant_id: 'echo', input: userMessage('4'), config: { configurable: { style: 'long' } } });
    expect(lastJson(own.outcome.values)).toMatchObject({ style: 'long', tone: 'warm' });
  });

  it("an assistant's own configurable stays with it: switching the thread to another assistant drops it", async () => {
    const formal = await engine.assistants.create({ graph_id: 'echo', config: { configurable: { style: 'formal' } } });
    const thread = await engine.threads.create();
    const first = await engine.runs.wait(thread.thread_id, { assistant_id: formal.assistant_id, input: userMessage('1') });
    expect(lastJson(first.outcome.values)).toMatchObject({ style: 'formal' });
    const switched = await engine.runs.wait(thread.thread_id, { assistant_id: 'echo', input: userMessage('2') });
    expect(lastJson(switched.outcome.values).style).toBeUndefined();
  });

  it('a stateless run carries nothing (it has no thread to carry to)', async () => {
    const run = await engine.runs.create(null, { assistant_id: 'echo', input: userMessage('once'), config: { configurable: { style: 'terse' } } });
    expect(run.kwargs.carried_configurable).toBeUndefined();
  });
});
