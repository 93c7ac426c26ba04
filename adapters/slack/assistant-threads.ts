import type { App } from '@slack/bolt';
import { FEEDBACK_ACTION_PREFIX, parseFeedbackActionId } from '../../src/chat/feedback.ts';
import type { ChatHost, Place } from '../../src/chat/types.ts';
import { FEEDBACK_VALUES } from './feedback-blocks.ts';

export interface AssistantListenerDeps {
  chat: () => ChatHost | undefined;
  /** The bot's workspace, for events that do not say theirs. */
  nameOf: (workspace: string, userId: string) => Promise<string>;
  ephemeral: (place: Place, userId: string, markdown: string) => Promise<void>;
  warn: (message: string, fields?: Record<string, unknown>) => void;
}

interface AssistantThreadPayload {
  assistant_thread?: {
    user_id?: string;
    channel_id?: string;
    thread_ts?: string;
    context?: { channel_id?: string; team_id?: string; enterprise_id?: string | null };
  };
}

/**
 * Slack's AI-app surface, on Bolt's plain events (Bolt's `Assistant` class would take the
 * DM `message` events the adapter already handles): `assistant_thread_started` (a greeting
 * and suggested prompts), `assistant_thread_context_changed` (the channel the person now
 * looks at), and the clicks of the feedback buttons on answers.
 */
export function listenToAssistantThreads(app: App, deps: AssistantListenerDeps): void {
  const onThread = (kind: 'started' | 'context_changed') => async (args: { event: unknown; body: unknown }) => {
    const chat = deps.chat();
    const thread = (args.event as AssistantThreadPayload).assistant_thread;
    if (!chat || !thread?.user_id || !thread.channel_id || !thread.thread_ts) return;
    const body = args.body as { team_id?: string; event_id?: string };
    const place: Place = { platform: 'slack', workspace: body.team_id ?? '', channel: thread.channel_id, thread: thread.thread_ts };
    await chat.handleAssistantThread({
      kind,
      place,
      user: { id: thread.user_id, name: await deps.nameOf(place.workspace, thread.user_id) },
      eventId: body.event_id,
      ...(thread.context ? { viewing: thread.context } : {}),
    });
  };
  app.event('assistant_thread_started', onThread('started'));
  app.event('assistant_thread_context_changed', onThread('context_changed'));

  app.action(new RegExp(`^${FEEDBACK_ACTION_PREFIX}:`), async ({ ack, body, action }) => {
    await ack();
    const chat = deps.chat();
    const clicked = action as { action_id: string; value?: string };
    const target = parseFeedbackActionId(clicked.action_id);
    const click = body as unknown as {
      user: { id: string; team_id?: string };
      team?: { id: string } | null;
      channel?: { id: string };
      message?: { ts: string; thread_ts?: string };
    };
    if (!chat || !target || !click.channel) return;
    if (clicked.value !== FEEDBACK_VALUES.positive && clicked.value !== FEEDBACK_VALUES.negative) {
      deps.warn('a feedback click with an unknown value was ignored', { value: clicked.value });
      return;
    }
    const place: Place = {
      platform: 'slack',
      workspace: click.team?.id ?? '',
      channel: click.channel.id,
      thread: click.message?.thread_ts ?? click.message?.ts,
    };
    await chat.handleFeedback({
      place,
      user: { id: click.user.id, name: await deps.nameOf(place.workspace, click.user.id) },
      userTeam: click.user.team_id,
      target,
      positive: clicked.value === FEEDBACK_VALUES.positive,
      replyPrivately: (markdown) => deps.ephemeral(place, click.user.id, markdown),
    });
  });
}
