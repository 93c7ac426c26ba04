import { notFound } from '../../errors.ts';
import type { FeedbackRepo, RunFeedback } from '../types.ts';
import type { JournalPool, Sequence } from './journal-pool.ts';
import { byVoteTime } from '../feedback-order.ts';

/**
 * Feedback lives in its run's thread journal, a line per vote: a run deleted (or its
 * thread) takes its feedback with it, and compaction keeps only each person's latest vote.
 */
export class JournalFeedbackRepo implements FeedbackRepo {
  readonly #pool: JournalPool;
  readonly #seq: Sequence;

  constructor(pool: JournalPool, seq: Sequence) {
    this.#pool = pool;
    this.#seq = seq;
  }

  async put(threadId: string, runId: string, feedback: RunFeedback): Promise<RunFeedback | null> {
    const journal = this.#pool.get(threadId);
    if (!journal?.run(runId)) throw notFound('run', runId);
    const previous = journal.feedback(runId).find((vote) => vote.user === feedback.user && vote.key === feedback.key) ?? null;
    journal.putFeedback(runId, { ...feedback }, this.#seq.next());
    return previous;
  }

  async list(threadId: string, runId: string): Promise<RunFeedback[]> {
    return (this.#pool.get(threadId)?.feedback(runId) ?? []).sort(byVoteTime);
  }
}
