/**
 * Slack's assistant.threads.* methods as Slack checks them: `channel_id` and `thread_ts`
 * required; setStatus needs `status`; setSuggestedPrompts 1 to 4 `prompts`, each a
 * `{title, message}` of non-empty strings (an optional list `title`); setTitle a non-empty
 * `title`. Only channels that hold assistant threads accept them (`invalid_channel_type`).
 * What the app set is kept per thread, for tests to read.
 */
export class FakeAssistantThreads {
  readonly channels: Set<string>;
  /** Suggested prompts per `channel:thread_ts`, the latest call's. */
  readonly prompts = new Map<string, { title?: string; prompts: Array<{ title: string; message: string }> }>();
  /** Titles per `channel:thread_ts`. */
  readonly titles = new Map<string, string>();

  constructor(channels: Set<string>) {
    this.channels = channels;
  }

  /** The answer to an assistant.threads.* call; undefined for other methods. */
  answer(method: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
    if (!method.startsWith('assistant.threads.')) return undefined;
    const missing = ['channel_id', 'thread_ts'].filter((field) => typeof args[field] !== 'string' || args[field] === '');
    if (method === 'assistant.threads.setStatus' && typeof args.status !== 'string') missing.push('status');
    if (method === 'assistant.threads.setTitle' && (typeof args.title !== 'string' || args.title.trim() === '')) missing.push('title');
    if (method === 'assistant.threads.setSuggestedPrompts' && args.prompts === undefined) missing.push('prompts');
    if (missing.length > 0) return invalid(missing.map((field) => `missing required field: ${field}`));
    const channel = String(args.channel_id);
    if (!this.channels.has(channel)) return { ok: false, error: 'invalid_channel_type' };
    const key = `${channel}:${String(args.thread_ts)}`;
    switch (method) {
      case 'assistant.threads.setStatus':
        return { ok: true };
      case 'assistant.threads.setTitle':
        this.titles.set(key, String(args.title));
        return { ok: true };
      case 'assistant.threads.setSuggestedPrompts': {
        const prompts = typeof args.prompts === 'string' ? safeParse(args.prompts) : args.prompts;
        if (!Array.isArray(prompts) || prompts.length === 0 || prompts.length > 4) return invalid(['prompts: 1 to 4 prompts']);
        const bad = prompts.findIndex(
          (prompt) => typeof prompt !== 'object' || prompt === null || typeof prompt.title !== 'string' || !prompt.title || typeof prompt.message !== 'string' || !prompt.message,
        );
        if (bad >= 0) return invalid([`prompts[${bad}]: a title and a message, both non-empty strings`]);
        if (args.title !== undefined && typeof args.title !== 'string') return invalid(['title: a string']);
        this.prompts.set(key, { ...(typeof args.title === 'string' ? { title: args.title } : {}), prompts: prompts as Array<{ title: string; message: string }> });
        return { ok: true };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

const invalid = (messages: string[]) => ({ ok: false, error: 'invalid_arguments', response_metadata: { messages: messages.map((message) => `[ERROR] ${message}`) } });

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

let eventCounter = 0;

/** An Events API callback for `assistant_thread_started` (or `_context_changed`): a person opened the AI-app pane. */
export function assistantThreadEvent(o: { channel: string; threadTs: string; user?: string; viewing?: string; kind?: 'started' | 'context_changed'; eventId?: string }) {
  return {
    token: 'x',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: o.eventId ?? `EvA${++eventCounter}`,
    event_time: 1,
    event: {
      type: `assistant_thread_${o.kind ?? 'started'}`,
      assistant_thread: {
        user_id: o.user ?? 'U1',
        context: o.viewing ? { channel_id: o.viewing, team_id: 'T1', enterprise_id: null } : {},
        channel_id: o.channel,
        thread_ts: o.threadTs,
      },
      event_ts: o.threadTs,
    },
  };
}

/** A direct message in an assistant thread (the pane's message box), as Slack delivers it. */
export function assistantMessageEvent(o: { channel: string; threadTs: string; ts: string; text: string; user?: string }) {
  return {
    token: 'x',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `EvM${++eventCounter}`,
    event_time: 1,
    event: {
      type: 'message',
      user: o.user ?? 'U1',
      text: o.text,
      ts: o.ts,
      thread_ts: o.threadTs,
      channel: o.channel,
      channel_type: 'im',
      team: 'T1',
      user_team: 'T1',
      event_ts: o.ts,
    },
  };
}

/** A click on a feedback_buttons element, as Slack posts it (form-encoded `payload`). */
export function feedbackClick(o: { actionId: string; value: string; messageTs: string; threadTs?: string; channel?: string; user?: string }) {
  const payload = {
    type: 'block_actions',
    user: { id: o.user ?? 'U1', username: 'ana', name: 'ana', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'x',
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channel ?? 'C1', is_ephemeral: false },
    trigger_id: 'trigger',
    team: { id: 'T1', domain: 'fake' },
    channel: { id: o.channel ?? 'C1', name: 'general' },
    message: { type: 'message', ts: o.messageTs, ...(o.threadTs ? { thread_ts: o.threadTs } : {}), text: 'answer' },
    response_url: 'https://hooks.invalid/response',
    actions: [
      {
        type: 'feedback_buttons',
        action_id: o.actionId,
        block_id: 'feedback',
        value: o.value,
        text: { type: 'plain_text', text: o.value === 'positive' ? '👍' : '👎' },
        action_ts: '1',
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
