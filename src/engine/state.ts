import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { InterruptRecord } from '../storage/types.ts';
import type { StateSnapshotLike } from './graphs.ts';
import { toWire } from './wire.ts';

/** Where a state lives, in the Platform's shape. */
export interface CheckpointRef {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string | null;
  checkpoint_map: Record<string, unknown> | null;
}

export interface ThreadTask {
  id: string;
  name: string;
  path: unknown[];
  error: string | null;
  interrupts: InterruptRecord[];
  checkpoint: CheckpointRef | null;
  state: ThreadState | null;
  result: unknown;
}

/** A thread's state at one checkpoint, as `GET /threads/{id}/state` returns it. */
export interface ThreadState {
  values: Record<string, unknown>;
  next: string[];
  tasks: ThreadTask[];
  metadata: Record<string, unknown>;
  created_at: string | null;
  checkpoint: CheckpointRef | null;
  parent_checkpoint: CheckpointRef | null;
  /** Every pending interrupt of the state, as in the Python Platform server. */
  interrupts: InterruptRecord[];
}

export const EMPTY_STATE = (): ThreadState => ({
  values: {},
  next: [],
  tasks: [],
  metadata: {},
  created_at: null,
  checkpoint: null,
  parent_checkpoint: null,
  interrupts: [],
});

/** The Platform's checkpoint reference; null without a checkpoint id unless `partial` (a subgraph task's namespace). */
export function checkpointRef(config: LangGraphRunnableConfig | undefined, partial = false): CheckpointRef | null {
  const configurable = config?.configurable as Record<string, unknown> | undefined;
  if (!configurable || typeof configurable.thread_id !== 'string') return null;
  if (!partial && typeof configurable.checkpoint_id !== 'string') return null;
  if (partial) {
    // A subgraph task's namespace, as the Platform gives it: only what its config holds.
    const ref: Record<string, unknown> = { checkpoint_ns: typeof configurable.checkpoint_ns === 'string' ? configurable.checkpoint_ns : '', thread_id: configurable.thread_id };
    if (typeof configurable.checkpoint_id === 'string') ref.checkpoint_id = configurable.checkpoint_id;
    if (configurable.checkpoint_map) ref.checkpoint_map = configurable.checkpoint_map;
    return ref as unknown as CheckpointRef;
  }
  return {
    thread_id: configurable.thread_id,
    checkpoint_ns: typeof configurable.checkpoint_ns === 'string' ? configurable.checkpoint_ns : '',
    checkpoint_id: typeof configurable.checkpoint_id === 'string' ? configurable.checkpoint_id : null,
    checkpoint_map: (configurable.checkpoint_map as Record<string, unknown> | undefined) ?? null,
  };
}

function isSnapshot(state: unknown): state is StateSnapshotLike {
  return state !== null && typeof state === 'object' && 'values' in state && 'next' in state;
}

export function toThreadState(snapshot: StateSnapshotLike): ThreadState {
  const tasks: ThreadTask[] = snapshot.tasks.map((task) => ({
    id: task.id,
    name: task.name,
    path: task.path ?? [],
    error: task.error == null ? null : errorText(task.error),
    interrupts: task.interrupts.map((interrupt) => toInterruptRecord(interrupt, `${task.name}:${task.id}`)),
    checkpoint: task.state && !isSnapshot(task.state) ? checkpointRef(task.state, true) : null,
    state: task.state && isSnapshot(task.state) ? nestedState(toThreadState(task.state)) : null,
    result: task.result === undefined ? null : toWire(task.result),
  }));
  const metadata = { ...(snapshot.metadata ?? {}) };
  return {
    values: (toWire(snapshot.values) as Record<string, unknown>) ?? {},
    next: [...snapshot.next],
    tasks,
    metadata: toWire(metadata) as Record<string, unknown>,
    created_at: snapshot.createdAt ?? null,
    checkpoint: checkpointRef(snapshot.config),
    parent_checkpoint: checkpointRef(snapshot.parentConfig),
    interrupts: tasks.flatMap((task) => task.interrupts),
  };
}

/** A subgraph's state inside a task, as the Platform nests it: its interrupts are the task's, not repeated. */
function nestedState(state: ThreadState): ThreadState {
  const { interrupts: _interrupts, ...nested } = state;
  return nested as ThreadState;
}

/**
 * An interrupt as the Platform lists it. `when`, `resumable` and `ns` are the fields LangGraph 0.x
 * put on every interrupt and the Platform still answers (clients and the reference API tests
 * match on them); LangGraph 1.x keeps only id and value, so `ns` is the namespace of the task
 * that holds the interrupt (`node:task_id`).
 */
function toInterruptRecord(interrupt: { id?: string; value?: unknown }, taskNamespace: string): InterruptRecord {
  return { id: interrupt.id ?? '', value: toWire(interrupt.value) ?? null, when: 'during', resumable: true, ns: [taskNamespace] };
}

/** Pending interrupts by task id, as a thread record keeps them. */
export function interruptsByTask(state: ThreadState): Record<string, InterruptRecord[]> {
  const out: Record<string, InterruptRecord[]> = {};
  for (const task of state.tasks) if (task.interrupts.length > 0) out[task.id] = task.interrupts;
  return out;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === 'object' && 'message' in error && typeof error.message === 'string') return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
