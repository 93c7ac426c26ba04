import { v7 as uuid7 } from 'uuid';
import type { Assistant, MultitaskStrategy, Run, RunKwargs, RunnableConfigRecord, Thread } from '../storage/types.ts';
import type { RunRequest } from './requests/runs.ts';

/**
 * Builds the run record: the assistant's config and context merged with the run's (the
 * run wins), plus the ids every graph can read in `configurable`. The merged result is
 * stored with the run, so a run restarted after a crash runs exactly as accepted.
 *
 * Between the two sits what the thread carries from its earlier runs (`previous`, the
 * thread's latest run): on the Platform a thread keeps the `configurable` its runs were
 * given, so a resume that sends no config (`command: {resume}`, as useStream sends it)
 * still runs with the caller's keys (a `user_id` a graph requires, for one).
 */
export function buildRun(options: {
  payload: RunRequest;
  assistant: Assistant;
  thread: Thread;
  previous?: Run | null;
  strategy: MultitaskStrategy;
  stateless: boolean;
  now: Date;
}): Run {
  const { payload, assistant, thread, previous, strategy, stateless, now } = options;
  const runId = uuid7();
  const checkpoint = { ...(payload.checkpoint ?? {}), ...(payload.checkpoint_id ? { checkpoint_id: payload.checkpoint_id } : {}) };
  const carried = carryConfigurable(previous?.kwargs.carried_configurable, payload.config?.configurable);
  const configurable: Record<string, unknown> = {
    ...(assistant.config.configurable ?? {}),
    ...carried,
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
    stream_mode: payload.stream_mode,
    stream_subgraphs: payload.stream_subgraphs ?? false,
  };
  if (!stateless && Object.keys(carried).length > 0) kwargs.carried_configurable = carried;
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

/**
 * Keys of `configurable` that name one run, one checkpoint or one caller's identity: never
 * carried to a thread's next run (custom auth sets the identity again on every request).
 */
const RUN_OWN_KEY = /^(run_id|thread_id|graph_id|assistant_id|checkpoint_id|checkpoint_ns|checkpoint_map|langgraph_auth_.*|__.*)$/;

/**
 * What a thread carries into its next run: what its earlier runs carried, overridden by
 * what this run was given. Only callers' keys: an assistant's own `configurable` stays with
 * the assistant, so switching a thread to another assistant (a chat's `use`) takes effect.
 */
export function carryConfigurable(earlier: Record<string, unknown> | undefined, given: Record<string, unknown> | undefined): Record<string, unknown> {
  const carried: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ ...(earlier ?? {}), ...(given ?? {}) })) {
    if (!RUN_OWN_KEY.test(key) && value !== undefined) carried[key] = value;
  }
  return carried;
}
