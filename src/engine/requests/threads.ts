import { z } from 'zod';
import { checkpointSelector, commandSchema, limit, nullish, offset, record, sortOrder } from './fields.ts';

/** What a state update writes: channel values, as an object (or a list of them), or null. */
const stateValues = z.union([record, z.array(record), z.null()], { error: 'values must be an object of channel values, a list of them, or null' }).optional();

const superstep = z.strictObject({
  // LangGraph refuses a superstep with nothing in it: said here, as a 422 naming the field.
  updates: z.array(z.strictObject({ values: stateValues, command: nullish(commandSchema), as_node: z.string() })).min(1, 'a superstep needs at least one update'),
});

/**
 * A thread's time to live in minutes, or `{ttl, strategy}` as the SDK sends it: `delete` the
 * thread when it runs out, or `keep_latest` (only its latest checkpoint stays); without one,
 * the configured `checkpointer.ttl.strategy`.
 */
const minutes = z.number().positive('must be a number of minutes > 0').max(52_560_000, 'at most 100 years');
const ttlValue = z.union([minutes, z.strictObject({ ttl: minutes, strategy: nullish(z.enum(['delete', 'keep_latest'])) })]);
const ttl = nullish(ttlValue);

export const threadCreateSchema = z.strictObject({
  thread_id: nullish(z.uuid({ error: 'must be a UUID' })),
  metadata: nullish(record),
  if_exists: nullish(z.enum(['raise', 'do_nothing'])),
  /** State to write at creation, step by step (needs `metadata.graph_id`). */
  supersteps: nullish(z.array(superstep)),
  ttl,
});
export type ThreadCreate = z.input<typeof threadCreateSchema>;

/** On an update, a null ttl is kept as null: it takes the thread's own TTL away. */
export const threadPatchSchema = z.strictObject({ metadata: nullish(record), ttl: ttlValue.nullable().optional() });
export type ThreadPatch = z.input<typeof threadPatchSchema>;

const threadStatus = z.enum(['idle', 'busy', 'interrupted', 'error']);
const filters = { metadata: nullish(record), values: nullish(record), status: nullish(threadStatus) };

export const threadSearchSchema = z.strictObject({
  ...filters,
  ids: nullish(z.array(z.string())),
  limit: limit(10),
  offset,
  sort_by: nullish(z.enum(['thread_id', 'status', 'created_at', 'updated_at', 'state_updated_at'])),
  sort_order: sortOrder,
});
export type ThreadSearch = z.input<typeof threadSearchSchema>;

export const threadCountSchema = z.strictObject(filters);
export type ThreadCount = z.input<typeof threadCountSchema>;

export const stateUpdateSchema = z.strictObject({
  values: stateValues,
  as_node: nullish(z.string()),
  checkpoint_id: nullish(z.string()),
  checkpoint: nullish(checkpointSelector),
});
export type StateUpdate = z.input<typeof stateUpdateSchema>;

export const statePatchSchema = z.strictObject({ metadata: record });

export const stateAtCheckpointSchema = z.strictObject({ checkpoint: checkpointSelector, subgraphs: nullish(z.boolean()) });

export const historySchema = z.strictObject({
  limit: limit(10),
  /** A checkpoint id, or a config naming one. */
  before: nullish(z.union([z.string(), z.strictObject({ configurable: z.strictObject({ checkpoint_id: z.string() }).loose() }).loose()])),
  metadata: nullish(record),
  checkpoint: nullish(checkpointSelector),
});
export type HistoryQuery = z.input<typeof historySchema>;
