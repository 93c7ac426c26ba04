import { v7 as uuid7 } from 'uuid';
import { invalidInput } from '../errors.ts';
import type {
  Assistant,
  Metadata,
  MultitaskStrategy,
  Run,
  RunCommandRecord,
  RunKwargs,
  RunnableConfigRecord,
  Thread,
} from '../storage/types.ts';

export const STREAM_MODES = ['values', 'updates', 'messages', 'messages-tuple', 'custom', 'events', 'debug', 'tasks', 'checkpoints'] as const;
export type StreamMode = (typeof STREAM_MODES)[number];
const MULTITASK = new Set<MultitaskStrategy>(['reject', 'enqueue', 'interrupt', 'rollback']);

/** What a caller asks for when it starts a run (the Platform's RunCreate, snake_case). */
export interface RunCreate {
  assistant_id: string;
  input?: unknown;
  command?: RunCommandRecord | null;
  config?: RunnableConfigRecord;
  context?: Record<string, unknown>;
  metadata?: Metadata;
  stream_mode?: StreamMode | StreamMode[];
  stream_subgraphs?: boolean;
  interrupt_before?: '*' | string[];
  interrupt_after?: '*' | string[];
  checkpoint_id?: string;
  checkpoint?: { checkpoint_id?: string; checkpoint_ns?: string; checkpoint_map?: Record<string, unknown> };
  multitask_strategy?: MultitaskStrategy;
  if_not_exists?: 'create' | 'reject';
  on_completion?: 'delete' | 'keep';
  on_disconnect?: 'cancel' | 'continue';
  /** Start no earlier than this many seconds from now. */
  after_seconds?: number;
  /** End the run with status `timeout` past this limit (overrides the configured default). */
  timeout_seconds?: number;
  /** When LangGraph persists checkpoints: after each step in the background (default), before each step, or at exit. */
  durability?: 'exit' | 'async' | 'sync';
  /** A URL that receives the run and its final values when it ends. */
  webhook?: string;
}

export function normalizeStreamModes(mode: RunCreate['stream_mode']): StreamMode[] {
  const modes: StreamMode[] = mode === undefined ? ['values'] : Array.isArray(mode) ? mode : [mode];
  for (const candidate of modes) {
    if (!(STREAM_MODES as readonly string[]).includes(candidate)) {
      throw invalidInput(`unknown stream_mode "${String(candidate)}"; use one of ${STREAM_MODES.join(', ')}`, { field: 'stream_mode' });
    }
  }
  return modes.length === 0 ? ['values'] : [...new Set(modes)];
}

/** Checks a request before anything is stored: a bad request changes nothing. */
export function validateRunCreate(payload: RunCreate): void {
  if (typeof payload.assistant_id !== 'string' || payload.assistant_id === '') {
    throw invalidInput('assistant_id is required (an assistant id or a graph id)', { field: 'assistant_id' });
  }
  const hasCommand = payload.command !== undefined && payload.command !== null;
  if (hasCommand && payload.input !== undefined && payload.input !== null) {
    throw invalidInput('give either input or command, not both', { field: 'command' });
  }
  if (hasCommand && (typeof payload.command !== 'object' || Array.isArray(payload.command))) {
    throw invalidInput('command must be an object with resume, update or goto', { field: 'command' });
  }
  if (payload.multitask_strategy !== undefined && !MULTITASK.has(payload.multitask_strategy)) {
    throw invalidInput(`unknown multitask_strategy "${payload.multitask_strategy}"; use reject, enqueue, interrupt or rollback`, {
      field: 'multitask_strategy',
    });
  }
  for (const field of ['interrupt_before', 'interrupt_after'] as const) {
    const value = payload[field];
    if (value !== undefined && value !== '*' && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
      throw invalidInput(`${field} must be "*" or a list of node names`, { field });
    }
  }
  for (const field of ['after_seconds', 'timeout_seconds'] as const) {
    const value = payload[field];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw invalidInput(`${field} must be a number of seconds >= 0`, { field });
    }
  }
  normalizeStreamModes(payload.stream_mode);
}

/**
 * Builds the run record: the assistant's config and context merged with the run's (the
 * run wins), plus the ids every graph can read in `configurable`. The merged result is
 * stored with the run, so a run restarted after a crash runs exactly as accepted.
 */
export function buildRun(options: {
  payload: RunCreate;
  assistant: Assistant;
  thread: Thread;
  strategy: MultitaskStrategy;
  stateless: boolean;
  now: Date;
}): Run {
  const { payload, assistant, thread, strategy, stateless, now } = options;
  const runId = uuid7();
  const checkpoint = { ...(payload.checkpoint ?? {}), ...(payload.checkpoint_id ? { checkpoint_id: payload.checkpoint_id } : {}) };
  const configurable: Record<string, unknown> = {
    ...(assistant.config.configurable ?? {}),
    ...(payload.config?.configurable ?? {}),
    ...checkpoint,
    run_id: runId,
    thread_id: thread.thread_id,
    graph_id: assistant.graph_id,
    assistant_id: assistant.assistant_id,
  };
  const metadata = payload.metadata ?? {};
  const config: RunnableConfigRecord = {
    configurable,
    metadata: { ...metadata, graph_id: assistant.graph_id, assistant_id: assistant.assistant_id, run_id: runId, thread_id: thread.thread_id },
  };
  const tags = payload.config?.tags ?? assistant.config.tags;
  if (tags) config.tags = tags;
  const recursionLimit = payload.config?.recursion_limit ?? assistant.config.recursion_limit;
  if (recursionLimit !== undefined) config.recursion_limit = recursionLimit;

  const kwargs: RunKwargs = {
    config,
    context: { ...(assistant.context ?? {}), ...(payload.context ?? {}) },
    stream_mode: normalizeStreamModes(payload.stream_mode),
    stream_subgraphs: payload.stream_subgraphs ?? false,
  };
  if (payload.command !== undefined && payload.command !== null) kwargs.command = payload.command;
  else kwargs.input = payload.input ?? null;
  if (payload.interrupt_before !== undefined) kwargs.interrupt_before = payload.interrupt_before;
  if (payload.interrupt_after !== undefined) kwargs.interrupt_after = payload.interrupt_after;
  if (checkpoint.checkpoint_id !== undefined) kwargs.checkpoint_id = checkpoint.checkpoint_id;
  if (stateless) {
    kwargs.stateless = true;
    kwargs.on_completion = payload.on_completion ?? 'delete';
  }
  if (payload.on_disconnect !== undefined) kwargs.on_disconnect = payload.on_disconnect;
  if (payload.timeout_seconds !== undefined) kwargs.timeout_seconds = payload.timeout_seconds;
  if (payload.durability !== undefined) kwargs.durability = payload.durability;
  if (payload.webhook !== undefined) kwargs.webhook = payload.webhook;
  const createdAt = new Date(now.getTime() + (payload.after_seconds ?? 0) * 1000).toISOString();
  return {
    run_id: runId,
    thread_id: thread.thread_id,
    assistant_id: assistant.assistant_id,
    created_at: createdAt,
    updated_at: now.toISOString(),
    status: 'pending',
    metadata,
    kwargs,
    multitask_strategy: strategy,
  };
}
