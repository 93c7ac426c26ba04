import type { Logger } from 'pino';
import { invalidInput, notFound } from '../errors.ts';
import type { RunFeedback, Storage } from '../storage/types.ts';

/** The key a chat 👍/👎 is stored under (score 1 or 0), as LangSmith's own thumbs feedback is usually named. */
export const USER_SCORE_KEY = 'user_score';

/** A person's vote, before it is stamped with its time. */
export interface FeedbackVote {
  key?: string | undefined;
  score: number;
  /** Who votes: a chat identity (`slack:<team>:<user>`, `discord:<user>`, `web:<name>`). */
  user: string;
}

/** What else hears of a vote once it is stored (LangSmith): told in the background, never holding the vote up. */
export type FeedbackSink = (vote: { threadId: string; runId: string; feedback: RunFeedback; previous: RunFeedback | null }) => Promise<void>;

export interface FeedbackServiceOptions {
  storage: Storage;
  log: Logger;
  sinks?: FeedbackSink[];
  now?: () => Date;
}

const KEY = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * Feedback on runs: a vote is stored with its run (one per person and key; a second vote
 * replaces the first), listed per run, and passed on to the sinks (LangSmith) in the background.
 */
export class FeedbackService {
  readonly #o: FeedbackServiceOptions;
  readonly #now: () => Date;
  readonly #forwarding = new Set<Promise<void>>();

  constructor(options: FeedbackServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Stores the vote on a run (`not_found` when the run is not in that thread); says which vote it replaced. */
  async record(threadId: string, runId: string, vote: FeedbackVote): Promise<{ feedback: RunFeedback; previous: RunFeedback | null }> {
    const key = vote.key ?? USER_SCORE_KEY;
    if (!KEY.test(key)) throw invalidInput('a feedback key is 1 to 100 letters, digits, _ . : or -', { field: 'key' });
    if (!Number.isFinite(vote.score)) throw invalidInput('a feedback score is a finite number', { field: 'score' });
    if (!vote.user) throw invalidInput('feedback needs the identity of who gave it', { field: 'user' });
    const feedback: RunFeedback = { key, score: vote.score, user: vote.user, at: this.#now().toISOString() };
    const previous = await this.#o.storage.feedback.put(threadId, runId, feedback);
    for (const sink of this.#o.sinks ?? []) this.#forward(sink({ threadId, runId, feedback, previous }), runId);
    return { feedback, previous };
  }

  /** A run's feedback, oldest vote first (`not_found` when the run is not in that thread). */
  async list(threadId: string, runId: string): Promise<RunFeedback[]> {
    const run = await this.#o.storage.runs.get(threadId, runId).catch(() => null);
    if (!run) {
      throw notFound('run', runId);
    }
    return this.#o.storage.feedback.list(threadId, runId);
  }

  /** Waits until every vote has been passed on (tests; a graceful stop). */
  async flush(): Promise<void> {
    while (this.#forwarding.size > 0) await Promise.allSettled([...this.#forwarding]);
  }

  #forward(sending: Promise<void>, runId: string): void {
    const tracked = sending.catch((error: unknown) => this.#o.log.warn({ err: error, runId }, 'could not pass feedback on (it is stored here)'));
    this.#forwarding.add(tracked);
    void tracked.finally(() => this.#forwarding.delete(tracked));
  }
}
