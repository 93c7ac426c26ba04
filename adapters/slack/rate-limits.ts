import type { RateLimit } from '../../src/chat/rate-limiter.ts';

const MINUTE = 60_000;
const tier = (perMinute: number): RateLimit => ({ limit: perMinute, windowMs: MINUTE });

/**
 * Slack's documented Web API limits for the methods Switchboard calls: per method per
 * workspace, except chat.postMessage, which Slack limits to about one message a second per
 * channel. Budgeting them in advance lets the outbox pace itself before Slack has to refuse.
 * Tier 2 is 20+/min, Tier 3 50+/min, Tier 4 100+/min; the "+" is Slack's margin, not ours.
 * chat.startStream and chat.stopStream are Tier 2 (2nd-hand: a much tighter tier than
 * chat.postMessage); a method not listed is paced only by the Retry-After of its 429s.
 */
export const SLACK_RATE_LIMITS: Readonly<Record<string, RateLimit & { per: 'workspace' | 'channel' }>> = {
  'chat.postMessage': { limit: 1, windowMs: 1000, per: 'channel' },
  'chat.update': { ...tier(50), per: 'workspace' },
  'chat.appendStream': { ...tier(100), per: 'workspace' },
  'chat.startStream': { ...tier(20), per: 'workspace' },
  'chat.stopStream': { ...tier(20), per: 'workspace' },
  'chat.postEphemeral': { ...tier(100), per: 'workspace' },
  'reactions.add': { ...tier(50), per: 'workspace' },
  'reactions.remove': { ...tier(20), per: 'workspace' },
  'assistant.threads.setStatus': { ...tier(50), per: 'workspace' },
  'assistant.threads.setSuggestedPrompts': { ...tier(100), per: 'workspace' },
  'users.info': { ...tier(100), per: 'workspace' },
  'conversations.replies': { ...tier(50), per: 'workspace' },
  'files.getUploadURLExternal': { ...tier(100), per: 'workspace' },
  'files.completeUploadExternal': { ...tier(100), per: 'workspace' },
};

/** The bucket a call of `method` falls in: its key and its known limit, if any. */
export function slackBucket(method: string, workspace: string, channel: string): { key: string; limit: RateLimit | undefined } {
  const known = SLACK_RATE_LIMITS[method];
  const key = known?.per === 'channel' ? `${workspace}:${method}:${channel}` : `${workspace}:${method}`;
  return { key, limit: known ? { limit: known.limit, windowMs: known.windowMs } : undefined };
}
