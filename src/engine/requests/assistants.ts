import { z } from 'zod';
import { configSchema, limit, nullish, offset, record, sortOrder } from './fields.ts';

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
export type AssistantCreate = z.input<typeof assistantCreateSchema>;

export const assistantPatchSchema = z.strictObject({
  graph_id: nullish(z.string().min(1)),
  config: nullish(configSchema),
  context: nullish(record),
  metadata: nullish(record),
  name: nullish(z.string()),
  description: nullish(z.string()),
});
export type AssistantPatch = z.input<typeof assistantPatchSchema>;

const filters = {
  graph_id: nullish(z.string()),
  name: nullish(z.string()),
  metadata: nullish(record),
};

export const assistantSearchSchema = z.strictObject({
  ...filters,
  limit: limit(10),
  offset,
  sort_by: nullish(z.enum(['assistant_id', 'graph_id', 'name', 'created_at', 'updated_at'])),
  sort_order: sortOrder,
});
export type AssistantSearch = z.input<typeof assistantSearchSchema>;

export const assistantCountSchema = z.strictObject(filters);
export type AssistantCount = z.input<typeof assistantCountSchema>;

export const assistantVersionsSchema = z.strictObject({ metadata: nullish(record), limit: limit(10), offset });
export type AssistantVersionsQuery = z.input<typeof assistantVersionsSchema>;

/** Versions count up from 1; past 2^31 - 1 (what PostgreSQL's integer holds) none exists on any backend. */
export const assistantLatestSchema = z.strictObject({ version: z.number().int().positive().max(2_147_483_647, 'no assistant has a version this high') });
