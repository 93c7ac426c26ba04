import { v5 as uuidv5 } from 'uuid';
import type { FeedbackSink } from '../../engine/feedback.ts';
import { langsmithTracingOn } from './langsmith.ts';

/**
 * Votes given in chat, passed on to LangSmith as feedback on the run's trace when LangSmith
 * tracing is on (LANGSMITH_TRACING=true, as LangChain reads it). The trace's root run has
 * the LangGraph run's id (LangChain's tracer takes the run_id Switchboard gives the graph),
 * so the feedback names the run id itself. One feedback per person, key and run, with an id
 * derived from them: a changed vote updates it (PATCH) instead of adding another.
 */

const DEFAULT_ENDPOINT = 'https://api.smith.langchain.com';
/** The namespace of feedback ids (a fixed uuid: the same vote always gets the same id). */
const FEEDBACK_NAMESPACE = '6d1b3f5e-2c47-4f1a-9b8e-0c5d7e9a1f24';
const ATTEMPTS = 3;
const TIMEOUT_MS = 10_000;

export interface LangSmithFeedbackOptions {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** How long to wait before retry `n` (1-based) when LangSmith gave no Retry-After. */
  backoffMs?: (attempt: number) => number;
}

export const feedbackIdOf = (runId: string, user: string, key: string) => uuidv5(`${runId}\u0000${user}\u0000${key}`, FEEDBACK_NAMESPACE);

class LangSmithRefusal extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, detail: string, retryAfterMs: number | undefined) {
    super(`LangSmith answered ${status}: ${detail.slice(0, 300)}`);
    this.name = 'LangSmithRefusal';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

export function langsmithFeedbackSink(options: LangSmithFeedbackOptions = {}): FeedbackSink {
  const doFetch = options.fetch ?? fetch;
  const backoff = options.backoffMs ?? ((attempt: number) => 500 * 3 ** (attempt - 1));
  return async ({ runId, feedback, previous }) => {
    // Read at each vote, as LangChain reads it at each run: a vote on a traced run goes where its trace went.
    const env = options.env ?? process.env;
    if (!langsmithTracingOn(env)) return;
    const endpoint = (env.LANGSMITH_ENDPOINT ?? env.LANGCHAIN_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    const apiKey = env.LANGSMITH_API_KEY ?? env.LANGCHAIN_API_KEY;
    const workspace = env.LANGSMITH_WORKSPACE_ID;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}), ...(workspace ? { 'x-tenant-id': workspace } : {}) };
    const id = feedbackIdOf(runId, feedback.user, feedback.key);
    const send = (method: 'POST' | 'PATCH', path: string, body: Record<string, unknown>) =>
      withRetries(() => request(doFetch, method, `${endpoint}${path}`, headers, body), backoff);
    const create = () =>
      send('POST', '/feedback', {
        id,
        run_id: runId,
        trace_id: runId,
        key: feedback.key,
        score: feedback.score,
        feedback_source: { type: 'app', metadata: { user: feedback.user, via: 'switchboard' } },
        created_at: feedback.at,
        modified_at: feedback.at,
      });
    const update = () => send('PATCH', `/feedback/${id}`, { score: feedback.score });
    try {
      await (previous ? update() : create());
    } catch (error) {
      // Our record and LangSmith's can disagree (a first vote it never got; a create whose answer was lost): try the other way once.
      if (error instanceof LangSmithRefusal && previous && error.status === 404) return void (await create());
      if (error instanceof LangSmithRefusal && !previous && error.status === 409) return void (await update());
      throw error;
    }
  };
}

async function request(doFetch: typeof fetch, method: string, url: string, headers: Record<string, string>, body: Record<string, unknown>): Promise<void> {
  const response = await doFetch(url, { method, headers, body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new LangSmithRefusal(response.status, await response.text().catch(() => ''), Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
}

/** A 429, a 5xx or the network failing is tried again (at most ATTEMPTS times); other refusals are final. */
async function withRetries(work: () => Promise<void>, backoff: (attempt: number) => number): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const retryable = !(error instanceof LangSmithRefusal) || error.status === 429 || error.status >= 500;
      if (!retryable || attempt >= ATTEMPTS) throw error;
      const wait = error instanceof LangSmithRefusal && error.retryAfterMs !== undefined ? error.retryAfterMs : backoff(attempt);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
