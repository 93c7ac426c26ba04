import type { BaseStore, GetOperation, Item, Operation, PutOperation, SearchOperation } from '@langchain/langgraph';

/**
 * Store items' time to live, as the Platform has it (langgraph.json `store.ttl`): an item
 * put with a TTL (its own, or `default_ttl`) expires that many minutes after it was last
 * written, or read when reads refresh it; an expired item is never returned, even before
 * a sweep deletes it. Both backends apply these rules; this file holds what they share.
 */
export interface StoreTtl {
  /** Minutes for items put without their own TTL; none: such items do not expire. */
  defaultMinutes?: number | undefined;
  /** Whether a get or search restarts the clock of the items it returns (the Platform's default: true). */
  refreshOnRead: boolean;
}

export const NO_STORE_TTL: StoreTtl = { refreshOnRead: true };

/**
 * LangGraph's store operations carry no TTL in JS; the PostgreSQL store of
 * @langchain/langgraph-checkpoint-postgres adds these options, and so do ours: `ttl` on a
 * put (minutes; null: never expires; absent: the default), `refreshTtl` on a read.
 */
export type TtlPutOperation = PutOperation & { ttl?: number | null | undefined };
export type TtlReadOperation = (GetOperation | SearchOperation) & { refreshTtl?: boolean | null | undefined };

/** The TTL in minutes an item is put with, or null when it does not expire. */
export function putTtlMinutes(op: TtlPutOperation, ttl: StoreTtl): number | null {
  if (op.ttl === null) return null;
  return op.ttl ?? ttl.defaultMinutes ?? null;
}

/** Whether a read restarts the clock of what it returns: as it asks, else as configured. */
export function readRefreshes(op: Operation, ttl: StoreTtl): boolean {
  const asked = (op as TtlReadOperation).refreshTtl;
  return asked ?? ttl.refreshOnRead;
}

export const expiryOf = (minutes: number | null, now: Date): Date | null => (minutes === null ? null : new Date(now.getTime() + minutes * 60_000));

/** The store methods with the TTL options (the same shape as the PostgreSQL store's). */
export interface TtlStoreMethods {
  put(namespace: string[], key: string, value: Record<string, unknown>, index?: false | string[], options?: { ttl?: number | null }): Promise<void>;
  /** Deletes every expired item; returns how many. */
  sweepExpired(): Promise<number>;
}

/** The batch a put with options makes. */
export function putOperation(namespace: string[], key: string, value: Record<string, unknown>, index?: false | string[], options?: { ttl?: number | null }): TtlPutOperation {
  return { namespace, key, value, ...(index !== undefined ? { index } : {}), ...(options && 'ttl' in options ? { ttl: options.ttl } : {}) };
}

/** The batch a get with options makes. */
export function getOperation(namespace: string[], key: string, options?: { refreshTtl?: boolean | null }): GetOperation & { refreshTtl?: boolean | null | undefined } {
  return { namespace, key, refreshTtl: options?.refreshTtl };
}

export type TtlSearchOptions = { filter?: Record<string, unknown>; limit?: number; offset?: number; query?: string; refreshTtl?: boolean | null };

/** The batch a search with options makes (BaseStore's defaults: 10 items from the first). */
export function searchOperation(namespacePrefix: string[], options: TtlSearchOptions = {}): SearchOperation & { refreshTtl?: boolean | null | undefined } {
  const { refreshTtl, limit = 10, offset = 0, ...rest } = options;
  return { namespacePrefix, limit, offset, ...rest, refreshTtl };
}

/** The store with the TTL options both backends take, as callers outside storage see it. */
export type TtlStore = BaseStore & {
  put(namespace: string[], key: string, value: Record<string, unknown>, index?: false | string[], options?: { ttl?: number | null }): Promise<void>;
  get(namespace: string[], key: string, options?: { refreshTtl?: boolean | null | undefined }): Promise<Item | null>;
  search(namespacePrefix: string[], options?: Parameters<BaseStore['search']>[1] & { refreshTtl?: boolean | null | undefined }): Promise<Item[]>;
};
