import { notFound } from '../../errors.ts';
import type { FeedbackRepo, RunFeedback } from '../types.ts';
import type { Db } from './db.ts';

/** A foreign key violation: the run the feedback names is not there. */
const FOREIGN_KEY_VIOLATION = '23503';

interface Row {
  key: string;
  score: number;
  user_id: string;
  at: string;
}

const toFeedback = (row: Row): RunFeedback => ({ key: row.key, score: Number(row.score), user: row.user_id, at: row.at });

/** Feedback rows reference their run, so they go when it goes (ON DELETE CASCADE). */
export class PgFeedbackRepo implements FeedbackRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async put(threadId: string, runId: string, feedback: RunFeedback): Promise<RunFeedback | null> {
    try {
      // The CTE reads the row as it was before this statement: the vote being replaced.
      const { rows } = await this.#db.query<{ previous_score: number | null; previous_at: string | null }>(
        `WITH previous AS (SELECT score, at FROM sb_run_feedback WHERE run_id = $1 AND user_id = $3 AND key = $4)
         INSERT INTO sb_run_feedback (run_id, thread_id, user_id, key, score, at)
         SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM sb_runs WHERE run_id = $1 AND thread_id = $2)
         ON CONFLICT (run_id, user_id, key) DO UPDATE SET score = EXCLUDED.score, at = EXCLUDED.at
         RETURNING (SELECT score FROM previous) AS previous_score, (SELECT at FROM previous) AS previous_at`,
        [runId, threadId, feedback.user, feedback.key, feedback.score, feedback.at],
      );
      const row = rows[0];
      if (!row) throw notFound('run', runId);
      return row.previous_score === null || row.previous_at === null ? null : { key: feedback.key, score: Number(row.previous_score), user: feedback.user, at: row.previous_at };
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw notFound('run', runId);
      throw error;
    }
  }

  async list(threadId: string, runId: string): Promise<RunFeedback[]> {
    const { rows } = await this.#db.query<Row>(
      'SELECT key, score, user_id, at FROM sb_run_feedback WHERE run_id = $1 AND thread_id = $2 ORDER BY at COLLATE "C", user_id COLLATE "C", key COLLATE "C"',
      [runId, threadId],
    );
    return rows.map(toFeedback);
  }
}
