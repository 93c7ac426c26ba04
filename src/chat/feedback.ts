import { USER_SCORE_KEY } from '../engine/feedback.ts';
import type { ChatContext } from './context.ts';
import { identityOf } from './identity.ts';
import type { IncomingFeedback } from './types.ts';

/** The id a 👍/👎 button carries (Slack action_id, Discord custom_id: at most 100 characters there): the vote and the run. */
export const FEEDBACK_ACTION_PREFIX = 'sb_feedback';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ACTION = new RegExp(`^${FEEDBACK_ACTION_PREFIX}:(?:(up|down):)?(${UUID}):(${UUID})$`);

/** `sb_feedback:<thread>:<run>` (Slack's one feedback_buttons element), or with `up`/`down` for a button per vote (Discord). */
export const feedbackActionId = (target: { threadId: string; runId: string }, vote?: 'up' | 'down') =>
  `${FEEDBACK_ACTION_PREFIX}:${vote ? `${vote}:` : ''}${target.threadId}:${target.runId}`;

export function parseFeedbackActionId(actionId: string): { threadId: string; runId: string; vote?: 'up' | 'down' } | null {
  const match = ACTION.exec(actionId);
  if (!match) return null;
  return { threadId: match[2]!, runId: match[3]!, ...(match[1] ? { vote: match[1] as 'up' | 'down' } : {}) };
}

const thumb = (positive: boolean) => (positive ? '👍' : '👎');

/**
 * A 👍/👎 on an answer: recorded on the answer's run under the clicker's identity (one vote
 * per person; a second click changes it), and acknowledged privately. A click naming a run
 * that is gone, or that was not answered where the click came from, records nothing.
 */
export async function recordFeedback(ctx: ChatContext, click: IncomingFeedback): Promise<void> {
  const { place, target } = click;
  const run = await ctx.engine.runs.get(target.threadId, target.runId).catch(() => null);
  if (!run || run.metadata.platform !== place.platform || run.metadata.channel !== place.channel) {
    await click.replyPrivately('That answer is no longer on record here, so your vote was not kept.');
    return;
  }
  const score = click.positive ? 1 : 0;
  const user = identityOf(place, click.user, click.userTeam);
  const { previous } = await ctx.engine.feedback.record(target.threadId, target.runId, { key: USER_SCORE_KEY, score, user });
  const reply =
    previous === null
      ? `Thanks for the feedback (${thumb(click.positive)}).`
      : previous.score === score
        ? `Your ${thumb(click.positive)} was already recorded.`
        : `Changed your vote to ${thumb(click.positive)}.`;
  await click.replyPrivately(reply);
}
