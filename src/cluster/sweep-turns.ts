import type { SweepTurn } from '../engine/periodic-sweep.ts';
import type { Db } from '../storage/postgres/db.ts';

/**
 * Sweeps shared by every process on one database: a process sweeps only when it claims the
 * sweep's row for the current interval. The claim is one upsert that succeeds only if the
 * last claim is at least ~an interval old, so of processes asking together exactly one
 * gets it (the others wait on the row lock, then see the fresh claim), and processes whose
 * timers run at different moments still sweep once per interval between them, not once each.
 */
export function pgSweepTurns(db: Db): SweepTurn {
  return async (name, now, intervalMs) => {
    // A little short of the interval: a timer firing a moment early still finds its turn.
    const claimableBefore = new Date(now.getTime() - intervalMs * 0.9);
    const { rowCount } = await db.query(
      `INSERT INTO sb_sweeps (name, swept_at) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET swept_at = EXCLUDED.swept_at WHERE sb_sweeps.swept_at <= $3
       RETURNING name`,
      [name, now, claimableBefore],
    );
    return (rowCount ?? 0) > 0;
  };
}
