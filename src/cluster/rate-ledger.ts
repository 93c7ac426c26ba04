import type { RateLedger, RateLimit } from '../chat/rate-limiter.ts';
import type { Db } from '../storage/postgres/db.ts';

/**
 * A call nobody said was answered stops counting as in flight after this, whoever made it:
 * the last resort for a call whose process is unknown (made before calls named their process).
 */
const STALE_IN_FLIGHT_MS = 30_000;
/** How soon to ask again while another process's call is in flight on the bucket (calls take milliseconds). */
const IN_FLIGHT_POLL_MS = 20;

interface BucketState {
  blocked_ms: number | null;
  in_flight: number;
  used: number;
  oldest_frees_in_ms: number | null;
}

/**
 * The rate budgets of every process on one PostgreSQL database (tables sb_rate_calls and
 * sb_rate_holds): each call of a bucket takes a row while in flight and keeps it for a window
 * after its answer; a 429's Retry-After is a hold on the bucket. A claim is decided under a
 * per-bucket advisory lock, on the database's clock, so processes never disagree on the count
 * or on the time. One call per bucket is in flight across all processes, as within one.
 * Each call names the process making it: when that process dies mid-call (its lease in
 * sb_processes is gone), the call stops holding the bucket, as if answered then.
 */
export class PgRateLedger implements RateLedger {
  readonly #db: Db;
  readonly #owner: string;

  /** `owner`: this process's id in sb_processes (ProcessLease.processId). */
  constructor(db: Db, owner: string) {
    this.#db = db;
    this.#owner = owner;
  }

  async claim(key: string, limit: RateLimit | undefined, reserve: number): Promise<{ id: number } | { waitMs: number }> {
    const windowMs = limit?.windowMs ?? 0;
    return this.#db.transaction(async (sql) => {
      await sql.query("SELECT pg_advisory_xact_lock(hashtext('sb_rate:' || $1))", [key]);
      // A dead process's call never gets its answer recorded: without this, the bucket would
      // wait STALE_IN_FLIGHT_MS for it (the Discord hand-over stalled on exactly that). It may
      // have reached the platform, so it still counts for a window, from now.
      await sql.query(
        `UPDATE sb_rate_calls c SET answered_at = clock_timestamp()
          WHERE c.bucket = $1 AND c.answered_at IS NULL AND c.owner IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM sb_processes p WHERE p.id = c.owner)`,
        [key],
      );
      await sql.query(
        `DELETE FROM sb_rate_calls WHERE bucket = $1
           AND (answered_at < clock_timestamp() - make_interval(secs => $2::float8 / 1000)
                OR (answered_at IS NULL AND taken_at < clock_timestamp() - make_interval(secs => $3::float8 / 1000)))`,
        [key, windowMs, STALE_IN_FLIGHT_MS],
      );
      const state = (
        await sql.query<BucketState>(
          `SELECT (SELECT extract(epoch FROM until - clock_timestamp()) * 1000 FROM sb_rate_holds WHERE bucket = $1)::float8 AS blocked_ms,
                  count(*) FILTER (WHERE answered_at IS NULL)::int AS in_flight,
                  count(*)::int AS used,
                  (extract(epoch FROM min(answered_at) + make_interval(secs => $2::float8 / 1000) - clock_timestamp()) * 1000)::float8 AS oldest_frees_in_ms
             FROM sb_rate_calls WHERE bucket = $1`,
          [key, windowMs],
        )
      ).rows[0]!;
      if (state.blocked_ms !== null && state.blocked_ms > 0) return { waitMs: Math.ceil(state.blocked_ms) };
      if (state.in_flight > 0 && !limit?.concurrent) return { waitMs: IN_FLIGHT_POLL_MS };
      if (limit && state.used >= limit.limit - reserve) return { waitMs: Math.max(1, Math.ceil(state.oldest_frees_in_ms ?? IN_FLIGHT_POLL_MS)) };
      const row = await sql.query<{ id: number }>('INSERT INTO sb_rate_calls (bucket, owner) VALUES ($1, $2) RETURNING id', [key, this.#owner]);
      return { id: row.rows[0]!.id };
    });
  }

  async release(key: string, id: number, windowMs: number): Promise<void> {
    // A call of a bucket without a window counts only while in flight.
    if (windowMs <= 0) await this.#db.query('DELETE FROM sb_rate_calls WHERE id = $1 AND bucket = $2', [id, key]);
    else await this.#db.query('UPDATE sb_rate_calls SET answered_at = clock_timestamp() WHERE id = $1 AND bucket = $2', [id, key]);
  }

  async block(key: string, ms: number): Promise<void> {
    await this.#db.query(
      `INSERT INTO sb_rate_holds (bucket, until) VALUES ($1, clock_timestamp() + make_interval(secs => $2::float8 / 1000))
       ON CONFLICT (bucket) DO UPDATE SET until = greatest(sb_rate_holds.until, excluded.until)`,
      [key, ms],
    );
  }
}
