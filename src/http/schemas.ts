import { z } from 'zod';
import { assistantSearchSchema } from '../engine/requests/assistants.ts';
import { cronCreateSchema, cronPatchSchema, cronSearchSchema } from '../engine/requests/crons.ts';
import { checkpointSelectorFields, definedFields, nullish } from '../engine/requests/fields.ts';
import { runCreateFields } from '../engine/requests/runs.ts';
import { storePutSchema, storeSearchSchema } from '../engine/requests/store.ts';
import { historySchema, stateAtCheckpointSchema, stateUpdateSchema, threadCreateSchema, threadPatchSchema, threadSearchSchema } from '../engine/requests/threads.ts';

/**
 * The API's request bodies: the engine's schema of each resource (src/engine/requests),
 * extended here with what only the HTTP API has: fields the SDK sends that the engine
 * does not take (`select`, `stream_resumable`, a checkpoint's `thread_id`...), and
 * refusals with a reason for Platform features Switchboard does not offer.
 */

/** A field for a Platform feature this server does not offer: refused with the reason, rather than dropped. */
const unsupported = (reason: string, allowed: (value: unknown) => boolean = (value) => value === undefined || value === null) =>
  z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (!allowed(value)) ctx.addIssue({ code: 'custom', message: reason });
    });
const langsmithOnly = (field: string) =>
  unsupported(`${field} needs LangSmith, which Switchboard does not use`, (value) => value === undefined || value === null || (Array.isArray(value) && value.length === 0));

/** The SDK names the thread in a checkpoint too; the thread is the one in the path. */
const checkpointWithThread = z
  .strictObject({ ...checkpointSelectorFields, thread_id: nullish(z.string()) })
  .transform(({ thread_id: _thread, ...selector }) => definedFields(selector));
/** `checkpoint_during`, the older name of durability: true is `async`, false `exit`. */
function durabilityOf<T extends { durability?: 'exit' | 'async' | 'sync' | undefined; checkpoint_during?: boolean | undefined }>({ checkpoint_during, ...rest }: T) {
  return { ...rest, durability: rest.durability ?? (checkpoint_during === undefined ? undefined : checkpoint_during ? ('async' as const) : ('exit' as const)) };
}

/** Which fields to return of each result. */
const select = <T extends string>(fields: readonly [T, ...T[]]) => nullish(z.array(z.enum(fields)));

export const runCreateBody = runCreateFields
  .extend({
    checkpoint: nullish(checkpointWithThread),
    /** Every stream here is resumable (kept for replay), so this is accepted either way. */
    stream_resumable: nullish(z.boolean()),
    checkpoint_during: nullish(z.boolean()),
    feedback_keys: langsmithOnly('feedback_keys'),
    langsmith_tracer: langsmithOnly('langsmith_tracer'),
  })
  .transform(({ stream_resumable: _resumable, feedback_keys: _feedback, langsmith_tracer: _tracer, ...run }) => durabilityOf(run));
export type RunCreateBody = z.output<typeof runCreateBody>;

export const assistantSearchBody = assistantSearchSchema.extend({
  select: select(['assistant_id', 'graph_id', 'name', 'description', 'config', 'context', 'created_at', 'updated_at', 'metadata', 'version']),
});

export const threadCreateBody = threadCreateSchema;
export const threadPatchBody = threadPatchSchema;
export const threadSearchBody = threadSearchSchema.extend({
  select: select(['thread_id', 'created_at', 'updated_at', 'metadata', 'config', 'context', 'status', 'values', 'interrupts', 'state_updated_at', 'error']),
});
export const stateUpdateBody = stateUpdateSchema.extend({ checkpoint: nullish(checkpointWithThread) });
export const stateAtCheckpointBody = stateAtCheckpointSchema.extend({ checkpoint: checkpointWithThread });
export const historyBody = historySchema.extend({ checkpoint: nullish(checkpointWithThread) });

export const cancelManyBody = z.strictObject({
  thread_id: nullish(z.uuid()),
  run_ids: nullish(z.array(z.string())),
  status: nullish(z.enum(['pending', 'running', 'all'])),
  action: nullish(z.enum(['interrupt', 'rollback'])),
});

const checkpointDuring = { checkpoint_during: nullish(z.boolean()) };
export const cronCreateBody = cronCreateSchema.extend(checkpointDuring).transform(durabilityOf);
export const cronPatchBody = cronPatchSchema;
export const cronSearchBody = cronSearchSchema.extend({ select: nullish(z.array(z.string())) });

export const storePutBody = storePutSchema.extend({
  /** Which fields to embed (store.index), or false for none; without an index, only false (the route says why). */
  index: nullish(z.union([z.literal(false), z.array(z.string().min(1))])),
});
export const storeSearchBody = storeSearchSchema.extend({
  /** Ranks by meaning (store.index); without an index the route refuses it, saying why. */
  query: nullish(z.string()),
});

/** `POST /internal/truncate`: what to empty (see engine/truncate.ts). */
export const truncateSchema = z.strictObject({
  runs: nullish(z.boolean()),
  threads: nullish(z.boolean()),
  assistants: nullish(z.boolean()),
  store: nullish(z.boolean()),
  checkpoint: nullish(z.boolean()),
  checkpointer: nullish(z.boolean()),
});
