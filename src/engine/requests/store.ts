import { z } from 'zod';
import { limit, nullish, offset, record } from './fields.ts';

/** A namespace of the long-term memory store: labels without periods (the API joins them with periods). */
export const namespace = z.array(
  z
    .string()
    .min(1, 'namespace labels cannot be empty')
    .regex(/^[^.]*$/, 'namespace labels cannot contain periods'),
);

export const storePutSchema = z.strictObject({ namespace: namespace.min(1, 'namespace is required'), key: z.string().min(1), value: record });
export const storeDeleteSchema = z.strictObject({ namespace, key: z.string().min(1) });
export const storeSearchSchema = z.strictObject({ namespace_prefix: namespace, filter: nullish(record), limit: limit(10), offset });
export const storeNamespacesSchema = z.strictObject({
  prefix: nullish(namespace),
  suffix: nullish(namespace),
  max_depth: nullish(z.number().int().positive()),
  limit: limit(100),
  offset,
});
