import { z } from 'zod';
import { configSchema, durability, limit, multitaskStrategy, nodeList, nullish, offset, record, sortOrder, webhookUrl } from './fields.ts';

/** What each run of a cron is started with (a run request without its assistant). */
const runFields = {
  input: z.unknown().optional(),
  config: nullish(configSchema),
  context: nullish(record),
  interrupt_before: nullish(nodeList),
  interrupt_after: nullish(nodeList),
  webhook: nullish(webhookUrl),
};

/**
 * A schedule's shape: five fields, or one @shorthand (the fields themselves are checked when
 * it is parsed). A lone word is refused here: the parser looks shorthands up by name, and
 * `__proto__` or `constructor` would find the object's prototype instead of a schedule.
 */
const schedule = z
  .string()
  .min(1)
  .regex(/^\s*(@[a-z]+|\S+(\s+\S+){4})\s*$/i, 'a schedule is five fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5", or a shorthand such as @daily');

/** Fields of the cron itself; the rest of a request is the run it creates each time. */
export const CRON_FIELDS = ['schedule', 'assistant_id', 'metadata', 'enabled', 'end_time', 'on_run_completed'] as const;

export const cronCreateSchema = z.strictObject({
  schedule,
  assistant_id: z.string().min(1),
  metadata: nullish(record),
  enabled: nullish(z.boolean()),
  end_time: nullish(z.string()),
  on_run_completed: nullish(z.enum(['delete', 'keep'])),
  ...runFields,
  multitask_strategy: nullish(multitaskStrategy),
  if_not_exists: nullish(z.enum(['create', 'reject'])),
  durability: nullish(durability),
});
export type CronCreate = z.input<typeof cronCreateSchema>;

export const cronPatchSchema = z.strictObject({
  schedule: nullish(schedule),
  metadata: nullish(record),
  enabled: nullish(z.boolean()),
  end_time: nullish(z.string()),
  on_run_completed: nullish(z.enum(['delete', 'keep'])),
  ...runFields,
});
export type CronPatch = z.input<typeof cronPatchSchema>;

const filters = { assistant_id: nullish(z.string()), thread_id: nullish(z.string()) };

export const cronSearchSchema = z.strictObject({
  ...filters,
  enabled: nullish(z.boolean()),
  limit: limit(10),
  offset,
  sort_by: nullish(z.enum(['cron_id', 'assistant_id', 'thread_id', 'created_at', 'updated_at', 'next_run_date'])),
  sort_order: sortOrder,
});
export type CronSearch = z.input<typeof cronSearchSchema>;

export const cronCountSchema = z.strictObject(filters);
export type CronCount = z.input<typeof cronCountSchema>;
