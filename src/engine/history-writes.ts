import type { ThreadState } from './state.ts';

/**
 * `metadata.writes` on a thread's history, where the graph's library no longer records it.
 *
 * LangGraph 0.x stored, with each checkpoint, the updates that made it: `{__start__: input}`
 * on the input checkpoint, `{node: update}` for the nodes of the step before. Clients replay
 * a history from it, e.g. into `threads.create({supersteps})` (the JS server's API suite
 * does). LangGraph 1.x dropped the field, but the same updates are in the history still: a
 * checkpoint's tasks carry their `result`, so a checkpoint's writes are its parent's task
 * results (hidden `__...` tasks left out), and the input checkpoint's its own `__start__`
 * task's. A checkpoint whose parent is not on this page, or whose parent's tasks have no
 * result, is left as the library stored it.
 */
export function withStepWrites(history: ThreadState[]): ThreadState[] {
  const byId = new Map(history.flatMap((state) => (state.checkpoint?.checkpoint_id ? [[state.checkpoint.checkpoint_id, state] as const] : [])));
  return history.map((state) => {
    if ('writes' in state.metadata) return state;
    const writes = state.metadata.source === 'input' ? inputWrites(state) : parentWrites(state, byId);
    return writes === undefined ? state : { ...state, metadata: { ...state.metadata, writes } };
  });
}

function inputWrites(state: ThreadState): Record<string, unknown> | undefined {
  const start = state.tasks.find((task) => task.name === '__start__' && task.result != null);
  return start ? { __start__: start.result } : undefined;
}

function parentWrites(state: ThreadState, byId: Map<string, ThreadState>): Record<string, unknown> | null | undefined {
  const parentId = state.parent_checkpoint?.checkpoint_id;
  const parent = parentId ? byId.get(parentId) : undefined;
  if (!parent) return undefined;
  const done = parent.tasks.filter((task) => !task.name.startsWith('__') && task.result != null);
  // As LangGraph 0.x recorded a step that only passed the input on: no writes.
  return done.length > 0 ? Object.fromEntries(done.map((task) => [task.name, task.result])) : null;
}
