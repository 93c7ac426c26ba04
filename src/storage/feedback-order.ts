import type { RunFeedback } from './types.ts';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The order every backend lists a run's feedback in: oldest vote first, then by user and key (byte order, as PostgreSQL's "C" collation). */
export function byVoteTime(a: RunFeedback, b: RunFeedback): number {
  return compare(a.at, b.at) || compare(a.user, b.user) || compare(a.key, b.key);
}
