import type { Thread } from './types.ts';

/**
 * What a thread's record says about its expiry, as both backends index it. A thread with
 * its own TTL expires at a fixed time (`expiresAt`); one without is idle since its last
 * update (`idleSince`), so the configured default (which may change between starts) is
 * applied when the sweep asks, not baked into the record. A thread a `keep_latest` sweep
 * has pruned since its last update is neither: there is nothing left to prune until it
 * changes again, and indexing it would have every sweep prune it anew.
 */
export interface ThreadExpiry {
  /** Epoch ms when its own TTL runs out. */
  expiresAt: number | null;
  /** Epoch ms of its last update, for the default TTL. */
  idleSince: number | null;
}

export function threadExpiry(thread: Pick<Thread, 'ttl' | 'updated_at' | 'pruned_at'>): ThreadExpiry {
  const updated = Date.parse(thread.updated_at);
  if (Number.isNaN(updated) || (thread.pruned_at && thread.pruned_at === thread.updated_at)) return { expiresAt: null, idleSince: null };
  if (thread.ttl) return { expiresAt: updated + thread.ttl.minutes * 60_000, idleSince: null };
  return { expiresAt: null, idleSince: updated };
}

/** When the thread expires (epoch ms), given the default TTL for threads without their own; null when it does not. */
export function threadExpiresAt(thread: Pick<Thread, 'ttl' | 'updated_at' | 'pruned_at'>, defaultMinutes: number | undefined): number | null {
  return dueAt(threadExpiry(thread), defaultMinutes);
}

/** When an indexed expiry falls due (epoch ms), given the default TTL; null when never. */
export function dueAt({ expiresAt, idleSince }: ThreadExpiry, defaultMinutes: number | undefined): number | null {
  if (expiresAt !== null) return expiresAt;
  return idleSince !== null && defaultMinutes !== undefined ? idleSince + defaultMinutes * 60_000 : null;
}
