import { z } from 'zod';
import { namespaceProblem, storeKeyProblem } from '../../storage/namespace.ts';
import { limit, nullish, offset, record } from './fields.ts';

/** A namespace of the long-term memory store, by the rules both backends share (src/storage/namespace.ts). */
const namespaceOf = (options: { allowEmpty?: boolean }) =>
  z.array(z.string()).superRefine((value, ctx) => {
    const problem = namespaceProblem(value, options);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
export const namespace = namespaceOf({ allowEmpty: true });
const itemNamespace = namespaceOf({});
const key = z.string().superRefine((value, ctx) => {
  const problem = storeKeyProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** An item's time to live in minutes (store.ttl); null: it never expires; absent: the configured `default_ttl`. */
const itemTtl = z.number().positive('must be a number of minutes > 0').max(52_560_000, 'at most 100 years').nullable().optional();
/** Whether this read restarts the clock of the items it returns; absent: `store.ttl.refresh_on_read`. */
export const refreshTtl = nullish(z.boolean());

export const storePutSchema = z.strictObject({ namespace: itemNamespace, key, value: record, ttl: itemTtl });
export const storeDeleteSchema = z.strictObject({ namespace: itemNamespace, key });
export const storeSearchSchema = z.strictObject({ namespace_prefix: namespace, filter: nullish(record), limit: limit(10), offset, refresh_ttl: refreshTtl });
export const storeNamespacesSchema = z.strictObject({
  prefix: nullish(namespace),
  suffix: nullish(namespace),
  max_depth: nullish(z.number().int().positive()),
  limit: limit(100),
  offset,
});
