import { z } from 'zod';
import { STREAM_MODES } from '../engine/run-request.ts';

/**
 * Request bodies of the LangGraph Platform API, as the official SDK sends them
 * (snake_case; a field left unset is absent or null). Objects are strict: a field this
 * server does not support is refused with a 422 that names it, never silently ignored.
 */
const record = z.record(z.string(), z.unknown());
const nullish = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

export const configSchema = z.strictObject({
  tags: nullish(z.array(z.string())),
  recursion_limit: nullish(z.number().int().positive()),
  configurable: nullish(record),
  metadata: nullish(record),
});

const sortOrder = nullish(z.enum(['asc', 'desc']));
const limit = (fallback: number) => z.number().int().min(0).max(10_000).nullish().transform((value) => value ?? fallback);
const offset = z.number().int().min(0).nullish().transform((value) => value ?? 0);
const strategy = z.enum(['reject', 'enqueue', 'interrupt', 'rollback']);
const streamMode = z.enum(STREAM_MODES);
const nodeList = z.union([z.literal('*'), z.array(z.string())]);
const checkpointSelector = z.strictObject({
  checkpoint_id: nullish(z.string()),
  checkpoint_ns: nullish(z.string()),
  checkpoint_map: nullish(record),
  thread_id: nullish(z.string()),
});

const send = z.strictObject({ node: z.string(), input: z.unknown() });
export const commandSchema = z.strictObject({
  resume: z.unknown().optional(),
  update: z.union([record, z.array(z.tuple([z.string(), z.unknown()]))]).nullish(),
  goto: z.union([z.string(), send, z.array(z.union([z.string(), send]))]).nullish(),
});

/** Fields only LangSmith gives a meaning to: refused with a reason rather than dropped. */
const langsmithOnly = (field: string) =>
  z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return;
      ctx.addIssue({ code: 'custom', message: `${field} needs LangSmith, which Switchboard does not use` });
    });

export const runCreateSchema = z.strictObject({
  assistant_id: z.string().min(1, 'an assistant id or a graph id'),
  input: z.unknown().optional(),
  command: nullish(commandSchema),
  config: nullish(configSchema),
  context: nullish(record),
  metadata: nullish(record),
  stream_mode: nullish(z.union([streamMode, z.array(streamMode)])),
  stream_subgraphs: nullish(z.boolean()),
  /** Every stream here is resumable (kept for replay), so this is accepted either way. */
  stream_resumable: nullish(z.boolean()),
  interrupt_before: nullish(nodeList),
  interrupt_after: nullish(nodeList),
  checkpoint_id: nullish(z.string()),
  checkpoint: nullish(checkpointSelector),
  multitask_strategy: nullish(strategy),
  on_completion: nullish(z.enum(['delete', 'keep'])),
  on_disconnect: nullish(z.enum(['cancel', 'continue'])),
  after_seconds: nullish(z.number().min(0)),
  if_not_exists: nullish(z.enum(['create', 'reject'])),
  checkpoint_during: nullish(z.boolean()),
  durability: nullish(z.enum(['exit', 'async', 'sync'])),
  webhook: nullish(z.url({ protocol: /^https?$/ })),
  timeout_seconds: nullish(z.number().positive()),
  feedback_keys: langsmithOnly('feedback_keys'),
  langsmith_tracer: langsmithOnly('langsmith_tracer'),
});
export type RunCreateBody = z.output<typeof runCreateSchema>;

export const assistantCreateSchema = z.strictObject({
  graph_id: z.string().min(1),
  assistant_id: nullish(z.uuid()),
  config: nullish(configSchema),
  context: nullish(record),
  metadata: nullish(record),
  if_exists: nullish(z.enum(['raise', 'do_nothing'])),
  name: nullish(z.string()),
  description: nullish(z.string()),
});

export const assistantPatchSchema = z.strictObject({
  graph_id: nullish(z.string().min(1)),
  config: nullish(configSchema),
  context: nullish(record),
  metadata: nullish(record),
  name: nullish(z.string()),
  description: nullish(z.string()),
});

const assistantFields = z.enum(['assistant_id', 'graph_id', 'name', 'description', 'config', 'context', 'created_at', 'updated_at', 'metadata', 'version']);
export const assistantSearchSchema = z.strictObject({
  graph_id: nullish(z.string()),
  name: nullish(z.string()),
  metadata: nullish(record),
  limit: limit(10),
  offset,
  sort_by: nullish(z.enum(['assistant_id', 'graph_id', 'name', 'created_at', 'updated_at'])),
  sort_order: sortOrder,
  select: nullish(z.array(assistantFields)),
});

export const assistantCountSchema = z.strictObject({ graph_id: nullish(z.string()), name: nullish(z.string()), metadata: nullish(record) });
export const assistantVersionsSchema = z.strictObject({ metadata: nullish(record), limit: limit(10), offset });
export const assistantLatestSchema = z.strictObject({ version: z.number().int().positive() });

const ttlRefused = z
  .unknown()
  .optional()
  .superRefine((value, ctx) => {
    if (value !== undefined && value !== null) ctx.addIssue({ code: 'custom', message: 'thread TTLs are not supported yet; delete threads explicitly' });
  });

const superstep = z.strictObject({
  updates: z.array(z.strictObject({ values: z.unknown().optional(), command: nullish(commandSchema), as_node: z.string() })),
});

export const threadCreateSchema = z.strictObject({
  thread_id: nullish(z.uuid()),
  metadata: nullish(record),
  if_exists: nullish(z.enum(['raise', 'do_nothing'])),
  supersteps: nullish(z.array(superstep)),
  ttl: ttlRefused,
});

export const threadPatchSchema = z.strictObject({ metadata: nullish(record), ttl: ttlRefused });

const threadStatus = z.enum(['idle', 'busy', 'interrupted', 'error']);
const threadFields = z.enum(['thread_id', 'created_at', 'updated_at', 'metadata', 'config', 'context', 'status', 'values', 'interrupts', 'state_updated_at', 'error']);
export const threadSearchSchema = z.strictObject({
  metadata: nullish(record),
  ids: nullish(z.array(z.string())),
  values: nullish(record),
  status: nullish(threadStatus),
  limit: limit(10),
  offset,
  sort_by: nullish(z.enum(['thread_id', 'status', 'created_at', 'updated_at', 'state_updated_at'])),
  sort_order: sortOrder,
  select: nullish(z.array(threadFields)),
});

export const threadCountSchema = z.strictObject({ metadata: nullish(record), values: nullish(record), status: nullish(threadStatus) });

export const stateUpdateSchema = z.strictObject({
  values: z.unknown().optional(),
  as_node: nullish(z.string()),
  checkpoint_id: nullish(z.string()),
  checkpoint: nullish(checkpointSelector),
});

export const statePatchSchema = z.strictObject({ metadata: record });

export const stateAtCheckpointSchema = z.strictObject({ checkpoint: checkpointSelector, subgraphs: nullish(z.boolean()) });

export const historySchema = z.strictObject({
  limit: limit(10),
  before: nullish(z.union([z.string(), z.strictObject({ configurable: z.strictObject({ checkpoint_id: z.string() }).loose() }).loose()])),
  metadata: nullish(record),
  checkpoint: nullish(checkpointSelector),
});

export const cancelManySchema = z.strictObject({
  thread_id: nullish(z.uuid()),
  run_ids: nullish(z.array(z.string())),
  status: nullish(z.enum(['pending', 'running', 'all'])),
  action: nullish(z.enum(['interrupt', 'rollback'])),
});

const namespace = z.array(z.string().min(1, 'namespace labels cannot be empty').regex(/^[^.]*$/, 'namespace labels cannot contain periods'));
export const storePutSchema = z.strictObject({
  namespace: namespace.min(1, 'namespace is required'),
  key: z.string().min(1),
  value: record,
  index: z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined && value !== null && value !== false) ctx.addIssue({ code: 'custom', message: 'semantic indexing (embeddings) is not supported; omit index or pass false' });
    }),
  ttl: z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined && value !== null) ctx.addIssue({ code: 'custom', message: 'item TTLs are not supported yet' });
    }),
});
export const storeDeleteSchema = z.strictObject({ namespace: namespace, key: z.string().min(1) });
export const storeSearchSchema = z.strictObject({
  namespace_prefix: namespace,
  filter: nullish(record),
  limit: limit(10),
  offset,
  query: z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined && value !== null && value !== '') ctx.addIssue({ code: 'custom', message: 'semantic search (query) is not supported; filter by value instead' });
    }),
  refresh_ttl: nullish(z.boolean()),
});
export const storeNamespacesSchema = z.strictObject({
  prefix: nullish(namespace),
  suffix: nullish(namespace),
  max_depth: nullish(z.number().int().positive()),
  limit: limit(100),
  offset,
});

export const cronCreateSchema = z.strictObject({
  schedule: z.string().min(1),
  assistant_id: z.string().min(1),
  input: z.unknown().optional(),
  config: nullish(configSchema),
  context: nullish(record),
  metadata: nullish(record),
  interrupt_before: nullish(nodeList),
  interrupt_after: nullish(nodeList),
  webhook: nullish(z.url({ protocol: /^https?$/ })),
  on_run_completed: nullish(z.enum(['delete', 'keep'])),
  multitask_strategy: nullish(strategy),
  if_not_exists: nullish(z.enum(['create', 'reject'])),
  checkpoint_during: nullish(z.boolean()),
  durability: nullish(z.enum(['exit', 'async', 'sync'])),
  enabled: nullish(z.boolean()),
  end_time: nullish(z.string()),
});
export type CronCreateBody = z.output<typeof cronCreateSchema>;

export const cronPatchSchema = z.strictObject({
  schedule: nullish(z.string().min(1)),
  end_time: nullish(z.string()),
  input: z.unknown().optional(),
  metadata: nullish(record),
  config: nullish(configSchema),
  context: nullish(record),
  webhook: nullish(z.url({ protocol: /^https?$/ })),
  interrupt_before: nullish(nodeList),
  interrupt_after: nullish(nodeList),
  on_run_completed: nullish(z.enum(['delete', 'keep'])),
  enabled: nullish(z.boolean()),
});

export const cronSearchSchema = z.strictObject({
  assistant_id: nullish(z.string()),
  thread_id: nullish(z.string()),
  enabled: nullish(z.boolean()),
  limit: limit(10),
  offset,
  sort_by: nullish(z.enum(['cron_id', 'assistant_id', 'thread_id', 'created_at', 'updated_at', 'next_run_date'])),
  sort_order: sortOrder,
  select: nullish(z.array(z.string())),
});

export const cronCountSchema = z.strictObject({ assistant_id: nullish(z.string()), thread_id: nullish(z.string()) });
