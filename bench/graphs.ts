import { Annotation, END, START, StateGraph } from '@langchain/langgraph';

/** The benchmark's trivial two-node graph: each node adds one to a counter. */
const Counter = Annotation.Root({ count: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });

/** The graph before compiling, to give it a checkpointer of one's choice. */
export function twoNodeBuilder() {
  return new StateGraph(Counter)
    .addNode('a', () => ({ count: 1 }))
    .addNode('b', () => ({ count: 1 }))
    .addEdge(START, 'a')
    .addEdge('a', 'b')
    .addEdge('b', END);
}

export function twoNodeGraph() {
  return twoNodeBuilder().compile();
}

/** One node that waits `ms` (a model call's latency) and counts: runs bound by waiting, not by CPU. */
export function waitingGraph(ms: number) {
  return new StateGraph(Counter)
    .addNode('wait', async () => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { count: 1 };
    })
    .addEdge(START, 'wait')
    .addEdge('wait', END)
    .compile();
}
