import { z } from 'zod';

/**
 * Building blocks of the request schemas, in the LangGraph Platform's shape (snake_case;
 * a field left unset is absent or null). Objects are strict: a field nobody supports is
 * refused with an error that names it, never silently ignored.
 */
export const record = z.record(z.string(), z.unknown());

/** Optional; null counts as unset (the SDK sends null for what it was not given). */
export const nullish = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

export const configSchema = z.strictObject({
  tags: nullish(z.array(z.string())),
  recursion_limit: nullish(z.number().int().positive()),
  configurable: nullish(record),
  metadata: nullish(record),
});

export const multitaskStrategy = z.enum(['reject', 'enqueue', 'interrupt', 'rollback'], {
  error: 'use reject, enqueue, interrupt or rollback',
});
export const nodeList = z.union([z.literal('*'), z.array(z.string())], { error: 'must be "*" or a list of node names' });
export const sortOrder = nullish(z.enum(['asc', 'desc']));
export const limit = (fallback: number) =>
  z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .nullish()
    .transform((value) => value ?? fallback);
export const offset = z
  .number()
  .int()
  .min(0)
  .nullish()
  .transform((value) => value ?? 0);

/** The fields of an object that are set (null counts as unset): what a value spread into a config must be. */
export function definedFields<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

export const checkpointSelectorFields = {
  checkpoint_id: nullish(z.string()),
  checkpoint_ns: nullish(z.string()),
  checkpoint_map: nullish(record),
};

/** Which checkpoint of a thread (the latest when empty); only the fields given, as they are spread into a config. */
export const checkpointSelector = z.strictObject(checkpointSelectorFields).transform(definedFields);
export type CheckpointSelector = z.output<typeof checkpointSelector>;

const send = z.strictObject({ node: z.string(), input: z.unknown() });
export const commandSchema = z.strictObject({
  resume: z.unknown().optional(),
  update: z.union([record, z.array(z.tuple([z.string(), z.unknown()]))]).nullish(),
  goto: z.union([z.string(), send, z.array(z.union([z.string(), send]))]).nullish(),
});

/** An http(s) URL, or a path of this server (`/my/webhook`, served by the project's own routes), as on the Platform. */
export const webhookUrl = z.union([z.url({ protocol: /^https?$/ }), z.string().regex(/^\/(?!\/)\S*$/, 'a path of this server such as /hooks/done')], {
  error: 'an http(s) URL, or a path of this server starting with /',
});
export const durability = z.enum(['exit', 'async', 'sync']);
