import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { graph as reviewGraph } from '../fixtures/graphs/review.ts';
import { Annotation, END, MessagesAnnotation, START, Send, StateGraph, interrupt, type LangGraphRunnableConfig } from '@langchain/langgraph';

/** Test graphs: small, deterministic, and with the properties the engine tests need. */

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const lastText = (messages: BaseMessage[]) => {
  const content = messages[messages.length - 1]?.content;
  return typeof content === 'string' ? content : '';
};

/** Two nodes that each append to `steps`; the second waits `configurable.delay_ms` (abortable). */
const StepsState = Annotation.Root({
  ...MessagesAnnotation.spec,
  steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

export const slowGraph = new StateGraph(StepsState)
  .addNode('first', (state) => ({ steps: [`first:${lastText(state.messages)}`] }))
  .addNode('second', async (state, config: LangGraphRunnableConfig) => {
    const delay = Number((config.configurable as Record<string, unknown> | undefined)?.delay_ms ?? 0);
    if (delay > 0) await sleep(delay, config.signal);
    return { steps: [`second:${lastText(state.messages)}`], messages: [new AIMessage(`done: ${lastText(state.messages)}`)] };
  })
  .addEdge(START, 'first')
  .addEdge('first', 'second')
  .addEdge('second', END)
  .compile();

/** Fails in its only node with a recognisable message. */
export const failingGraph = new StateGraph(MessagesAnnotation)
  .addNode('explode', () => {
    throw new Error('the graph exploded on purpose');
  })
  .addEdge(START, 'explode')
  .addEdge('explode', END)
  .compile();

/** Writes custom stream data, then returns. */
export const customGraph = new StateGraph(MessagesAnnotation)
  .addNode('report', (_state, config: LangGraphRunnableConfig) => {
    config.writer?.({ progress: 50 });
    config.writer?.({ progress: 100 });
    return { messages: [new AIMessage('reported')] };
  })
  .addEdge(START, 'report')
  .addEdge('report', END)
  .compile();

/** Asks two questions in parallel (two tasks, two interrupts) and records both answers. */
const AskState = Annotation.Root({
  topics: Annotation<string[]>({ reducer: (_a, b) => b, default: () => [] }),
  answers: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

export const parallelQuestionsGraph = new StateGraph(AskState)
  .addNode('ask', (state: { topic?: string }) => {
    const answer = interrupt({ question: `What about ${state.topic}?` });
    return { answers: [`${state.topic}=${String(answer)}`] };
  })
  .addConditionalEdges(START, (state) => state.topics.map((topic) => new Send('ask', { topic })))
  .addEdge('ask', END)
  .compile();

/** A parent graph whose node is a compiled subgraph, for namespaced stream events. */
const inner = new StateGraph(StepsState)
  .addNode('inner_step', () => ({ steps: ['inner'] }))
  .addEdge(START, 'inner_step')
  .addEdge('inner_step', END)
  .compile();

export const nestedGraph = new StateGraph(StepsState)
  .addNode('outer_step', () => ({ steps: ['outer'] }))
  .addNode('child', inner)
  .addEdge(START, 'outer_step')
  .addEdge('outer_step', 'child')
  .addEdge('child', END)
  .compile();

/** Echoes configurable and context so tests can check how run settings merge. */
export const echoConfigGraph = new StateGraph(MessagesAnnotation)
  .addNode('echo', (_state, config: RunnableConfig & { context?: unknown }) => {
    const configurable = (config.configurable ?? {}) as Record<string, unknown>;
    const seen = {
      style: configurable.style,
      tone: configurable.tone,
      graph_id: configurable.graph_id,
      assistant_id: configurable.assistant_id,
      run_id: configurable.run_id,
      context: (config as { context?: unknown }).context ?? null,
      tags: config.tags ?? [],
    };
    return { messages: [new AIMessage(JSON.stringify(seen))] };
  })
  .addEdge(START, 'echo')
  .addEdge('echo', END)
  .compile();

/** Asks a question with interrupt(), then works for `configurable.delay_ms` (abortable) with the answer. */
const ReviewState = Annotation.Root({
  ...MessagesAnnotation.spec,
  answer: Annotation<string>(),
  worked: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

export const askThenWorkGraph = new StateGraph(ReviewState)
  .addNode('ask', () => ({ answer: String(interrupt({ question: 'go?' })) }))
  .addNode('work', async (state, config: LangGraphRunnableConfig) => {
    const delay = Number((config.configurable as Record<string, unknown> | undefined)?.delay_ms ?? 0);
    if (delay > 0) await sleep(delay, config.signal);
    return { worked: [`worked:${state.answer}`] };
  })
  .addEdge(START, 'ask')
  .addEdge('ask', 'work')
  .addEdge('work', END)
  .compile();

/**
 * Like the slow graph, but its second step holds for a minute while CRASH_HOLD=1 is in
 * the environment: a child process stays inside that step until it is killed, and the
 * same run resumed in a process without the variable finishes at once.
 */
export const holdGraph = new StateGraph(StepsState)
  .addNode('first', (state) => ({ steps: [`first:${lastText(state.messages)}`] }))
  .addNode('second', async (state, config: LangGraphRunnableConfig) => {
    if (process.env.CRASH_HOLD === '1') await sleep(60_000, config.signal);
    return { steps: [`second:${lastText(state.messages)}`] };
  })
  .addEdge(START, 'first')
  .addEdge('first', 'second')
  .addEdge('second', END)
  .compile();

/** Asks for review with LangGraph's HumanInterrupt shape (agent inbox), in a one-element list. */
const ReviewedState = Annotation.Root({
  ...MessagesAnnotation.spec,
  outcome: Annotation<string>(),
});

export const humanReviewGraph = new StateGraph(ReviewedState)
  .addNode('review', () => {
    const [response] = interrupt([
      {
        action_request: { action: 'send_email', args: { to: 'team@example.com', subject: 'Launch' } },
        config: { allow_accept: true, allow_ignore: true, allow_respond: true, allow_edit: true },
        description: 'Send the launch email?',
      },
    ]) as Array<{ type: string; args: unknown }>;
    return { outcome: `${response!.type}:${JSON.stringify(response!.args)}`, messages: [new AIMessage(`review ended: ${response!.type}`)] };
  })
  .addEdge(START, 'review')
  .addEdge('review', END)
  .compile();

/** Asks `configurable.ask` with interrupt(), whatever its shape, and says what the answer was. */
export const askerGraph = new StateGraph(MessagesAnnotation)
  .addNode('ask', (_state, config: LangGraphRunnableConfig) => {
    const answer = interrupt((config.configurable as Record<string, unknown> | undefined)?.ask ?? 'anything?');
    return { messages: [new AIMessage(`Got: ${JSON.stringify(answer)}`)] };
  })
  .addEdge(START, 'ask')
  .addEdge('ask', END)
  .compile();

export const testGraphs = {
  humanReview: humanReviewGraph,
  asker: askerGraph,
  hold: holdGraph,
  askThenWork: askThenWorkGraph,
  slow: slowGraph,
  failing: failingGraph,
  custom: customGraph,
  questions: parallelQuestionsGraph,
  nested: nestedGraph,
  echo: echoConfigGraph,
  review: reviewGraph,
};
