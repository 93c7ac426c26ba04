import { App, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import {
  type ChatAdapter,
  type ChatHost,
  type ChatUser,
  DeliveryError,
  type IncomingMessage,
  type NativeStream,
  type OutgoingMessage,
  type Place,
  type Platform,
} from '../../src/chat/types.ts';
import { parsePromptActionId, PROMPT_ACTION_PREFIX } from '../../src/chat/prompt-action.ts';
import { BudgetShortError, type CallNeed, type RateLedger, RateLimiter } from '../../src/chat/rate-limiter.ts';
import { listenToAssistantThreads } from './assistant-threads.ts';
import { promptBlocks } from './blocks.ts';
import { countSlackError, refusedToken, startFailure, toDeliveryError } from './errors.ts';
import { answerBlocks, feedbackBlock } from './feedback-blocks.ts';
import { registerSlackForms } from './forms.ts';
import { type SlackEventFile, slackEventFiles, slackFileTransfer } from './files.ts';
import { HonoSlackReceiver } from './http-receiver.ts';
import type { SlackInstallations } from './installations.ts';
import type { SlackOAuthConfig } from './oauth-config.ts';
import { slackOAuthRoutes } from './oauth-routes.ts';
import { toMrkdwn } from './mrkdwn.ts';
import { slackBucket } from './rate-limits.ts';
import { listenForUninstalls } from './uninstall.ts';
import { installedWorkspaces, singleWorkspace } from './workspaces.ts';

export interface SlackAdapterOptions {
  /** One workspace: its bot token. Unset with `oauth` (each workspace's token comes from its installation). */
  botToken?: string | undefined;
  /** Many workspaces: Slack's OAuth install, and the installations it keeps. */
  oauth?: { config: SlackOAuthConfig; installations: SlackInstallations } | undefined;
  /** HTTP mode (events at /slack/events on Switchboard's server). */
  signingSecret?: string | undefined;
  /** Socket Mode, when set (an app-level `xapp-` token). */
  appToken?: string | undefined;
  /** Another Slack API base URL (proxies, tests); every Web API client the adapter makes uses it. */
  apiUrl?: string | undefined;
  slashCommand: string;
  streaming: 'auto' | 'native' | 'edit';
  statusReaction: string;
  log: Logger;
  now?: () => number;
  /** Processes sharing a database share Slack's rate budgets through it (absent: this process's own). */
  rateLedger?: RateLedger | undefined;
}

interface SlackEvent {
  type: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  channel_type?: string;
  team?: string;
  user_team?: string;
  files?: SlackEventFile[];
}

const IGNORED_SUBTYPES = new Set([
  'message_changed',
  'message_deleted',
  'message_replied',
  'channel_join',
  'channel_leave',
  'channel_topic',
  'channel_purpose',
  'channel_name',
  'group_join',
  'group_leave',
  'ekm_access_denied',
  'assistant_app_thread',
]);

/**
 * Slack, on @slack/bolt: Socket Mode when an app token is given, else HTTP mode on
 * Switchboard's own server. Events become chat messages (after Bolt has acked them);
 * replies go back in the conversation's thread, streamed with Slack's native streaming
 * where it applies and by throttled edits otherwise; prompts are Block Kit buttons.
 */
export function createSlackPlatform(options: SlackAdapterOptions): Platform {
  const { log } = options;
  const slackApiUrl = options.apiUrl ? (options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`) : undefined;
  // Failures come back at once: the shared rate budget below closes a method for every
  // conversation after a 429, and the durable outbox retries once it is open again.
  const clientOptions = { ...(slackApiUrl ? { slackApiUrl } : {}), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
  const boltLogger = toBoltLogger(log);
  const httpReceiver = options.appToken
    ? undefined
    : new HonoSlackReceiver({ signingSecret: requireSecret(options.signingSecret), log, ...(options.now ? { now: options.now } : {}) });
  const socketReceiver = options.appToken ? new SocketModeReceiver({ appToken: options.appToken, logger: boltLogger, installerOptions: { clientOptions } }) : undefined;
  const oauth = options.oauth;
  if (!oauth && !options.botToken) throw new Error('Slack needs SLACK_BOT_TOKEN, or the OAuth install (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET)');
  const workspaces = oauth ? installedWorkspaces({ installations: oauth.installations, clientOptions, log }) : undefined;
  // Initialised in start(): Bolt's own auth.test at construction would fail for good (and unhandled) when Slack is unreachable then.
  // Many workspaces: Bolt asks `authorize` for the token of each event's workspace.
  const app = new App({
    ...(workspaces ? { authorize: workspaces.authorize! } : { token: options.botToken }),
    receiver: (socketReceiver ?? httpReceiver)!,
    logger: boltLogger,
    clientOptions,
    deferInitialization: true,
  });
  let initialized = false;
  /** One workspace: the client with SLACK_BOT_TOKEN. Many: a client without a token (each call names its workspace's, see `paced`). */
  const client: WebClient = app.client;
  const teams = workspaces ?? singleWorkspace(client);
  let chat: ChatHost | undefined;
  const names = new Map<string, string>();
  const assistantStatus = new Map<string, boolean>();
  /** Trigger messages that carry the status reaction now (so a skipped add skips its removal). */
  const reacted = new Set<string>();
  const budget = new RateLimiter({ ledger: options.rateLedger });

  const call = async <T>(workspace: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (refusedToken(error)) teams.tokenRefused(workspace);
      if (!(error instanceof DeliveryError)) countSlackError(error);
      const failure = toDeliveryError(error);
      if (failure.retryAfterMs !== undefined) log.warn({ retryInMs: failure.retryAfterMs }, 'Slack answered 429; the method waits for everyone');
      throw failure;
    }
  };
  /**
   * A Web API call through its rate bucket (the method in the workspace, or the channel for
   * chat.postMessage), made with the client of the place's workspace: calls use the `client`
   * handed to `work`, so each workspace is answered with its own token.
   */
  const paced = <T>(method: string, place: { workspace: string; channel: string }, need: CallNeed, work: (client: WebClient) => Promise<T>): Promise<T> => {
    const bucket = slackBucket(method, place.workspace, place.channel);
    return budget.run(bucket.key, bucket.limit, need, () => call(place.workspace, async () => work(await teams.clientFor(place.workspace))));
  };
  const canSpare = (method: string, place: { workspace: string; channel: string }) => {
    const bucket = slackBucket(method, place.workspace, place.channel);
    return budget.canSpare(bucket.key, bucket.limit);
  };
  const needOf = (message: OutgoingMessage): CallNeed => (message.partial ? 'optional' : 'required');

  const nameOf = async (workspace: string, userId: string): Promise<string> => {
    const key = `${workspace}:${userId}`;
    const known = names.get(key);
    if (known) return known;
    try {
      // A name is nice to have: when the budget is short the id stands in for it.
      const info = (await paced('users.info', { workspace, channel: '' }, 'optional', (client) => client.users.info({ user: userId }))) as {
        user?: { name?: string; real_name?: string; profile?: { display_name?: string } };
      };
      const name = info.user?.profile?.display_name || info.user?.real_name || info.user?.name || userId;
      names.set(key, name);
      return name;
    } catch {
      return userId;
    }
  };

  const render = (message: OutgoingMessage) => {
    if (message.prompt) return { text: toMrkdwn(message.prompt.question).slice(0, 3000), blocks: promptBlocks(message.prompt) };
    // A final answer carries the feedback buttons (and so its text in blocks too).
    if (message.feedback) return { text: toMrkdwn(message.markdown || ' '), blocks: answerBlocks(toMrkdwn(message.markdown), message.feedback) };
    return { text: toMrkdwn(message.markdown || ' ') };
  };

  const files = slackFileTransfer({ tokenFor: async (workspace) => (await teams.clientFor(workspace)).token, paced, apiUrl: slackApiUrl });
  const adapter: ChatAdapter = {
    platform: 'slack',
    maxMessageChars: 4000,
    fetchFile: files.fetchFile,
    sendFile: files.sendFile,
    botUserId: () => teams.singleBotUserId(),
    async send(place, message) {
      const result = (await paced('chat.postMessage', place, needOf(message), (client) =>
        client.chat.postMessage({ channel: place.channel, ...(place.thread ? { thread_ts: place.thread } : {}), ...render(message) } as never),
      )) as {
        ts?: string;
      };
      return { messageId: result.ts ?? '' };
    },
    async update(place, messageId, message) {
      await paced('chat.update', place, needOf(message), (client) => client.chat.update({ channel: place.channel, ts: messageId, ...render(message) } as never));
    },
    async ephemeral(place, userId, markdown) {
      await paced('chat.postEphemeral', place, 'required', (client) =>
        client.chat.postEphemeral({ channel: place.channel, user: userId, text: toMrkdwn(markdown), ...(place.thread ? { thread_ts: place.thread } : {}) }),
      );
    },
    async status(place, busy, context) {
      // Indicators are the first thing dropped when the budget is short: they are optional calls.
      // assistant.threads.setStatus works in Slack's assistant threads; elsewhere a reaction says it.
      if (place.thread && assistantStatus.get(place.channel) !== false) {
        try {
          const status = busy ? 'is thinking…' : '';
          await paced('assistant.threads.setStatus', place, 'optional', (client) =>
            client.assistant.threads.setStatus({ channel_id: place.channel, thread_ts: place.thread!, status }),
          );
          assistantStatus.set(place.channel, true);
          return;
        } catch (error) {
          // A skipped call says nothing of the channel; a refusal says it has no assistant threads.
          if (error instanceof BudgetShortError) return;
          assistantStatus.set(place.channel, false);
        }
      }
      if (!context.triggerMessageId) return;
      const reaction = { channel: place.channel, timestamp: context.triggerMessageId, name: options.statusReaction };
      const key = `${place.channel}:${context.triggerMessageId}`;
      if (busy) {
        // Added only when its removal can be afforded too (reactions.remove is the tighter tier).
        if (!canSpare('reactions.remove', place)) return;
        await paced('reactions.add', place, 'optional', (client) => client.reactions.add(reaction))
          .then(() => reacted.add(key))
          .catch(() => undefined);
      } else if (reacted.delete(key)) {
        // A reaction left on would say "still working": its removal waits its turn.
        await paced('reactions.remove', place, 'required', (client) => client.reactions.remove(reaction)).catch(() => undefined);
      }
    },
    async openStream(place, recipient) {
      if (options.streaming === 'edit' || !place.thread || !recipient.teamId) return null;
      // Streams open only while both their start and their stop can be afforded: under
      // pressure a reply is one chat.postMessage instead of three or more stream calls.
      if (!canSpare('chat.stopStream', place)) return null;
      const started = (await paced('chat.startStream', place, 'optional', (client) =>
        client.chat.startStream({ channel: place.channel, thread_ts: place.thread!, recipient_user_id: recipient.userId, recipient_team_id: recipient.teamId! }),
      )) as { ts?: string };
      if (!started.ts) return null;
      const ts = started.ts;
      const stream: NativeStream = {
        messageId: ts,
        async append(markdown) {
          await paced('chat.appendStream', place, 'optional', (client) => client.chat.appendStream({ channel: place.channel, ts, markdown_text: markdown }));
        },
        async stop(rest, feedback) {
          // Blocks given at the stop are shown at the bottom of the finished message: the feedback buttons.
          await paced('chat.stopStream', place, 'required', (client) =>
            client.chat.stopStream({ channel: place.channel, ts, ...(rest ? { markdown_text: rest } : {}), ...(feedback ? { blocks: [feedbackBlock(feedback)] } : {}) } as never),
          );
          return ts;
        },
      };
      return stream;
    },
  };

  /** Slack's AI-app threads: suggested prompts when one opens, its title from the first message. */
  adapter.suggestPrompts = async (place, prompts) => {
    if (!place.thread) return;
    await paced('assistant.threads.setSuggestedPrompts', place, 'required', () =>
      client.assistant.threads.setSuggestedPrompts({ channel_id: place.channel, thread_ts: place.thread!, prompts: prompts.slice(0, 4) }),
    );
  };
  adapter.setTitle = async (place, title) => {
    if (!place.thread) return;
    await paced('assistant.threads.setTitle', place, 'required', () => client.assistant.threads.setTitle({ channel_id: place.channel, thread_ts: place.thread!, title }));
  };

  /** A thread's earlier messages (conversations.replies pages, oldest first), the bot's mention stripped. */
  adapter.threadHistory = async (place, beforeMessageId, limit) => {
    if (!place.thread || place.thread === beforeMessageId || limit <= 0) return [];
    const found: Array<{ user?: string; bot_id?: string; text?: string; ts?: string }> = [];
    let cursor: string | undefined;
    do {
      const page = (await paced('conversations.replies', place, 'required', (client) =>
        client.conversations.replies({ channel: place.channel, ts: place.thread!, latest: beforeMessageId, inclusive: false, limit: 200, ...(cursor ? { cursor } : {}) }),
      )) as { messages?: typeof found; response_metadata?: { next_cursor?: string } };
      found.push(...(page.messages ?? []).filter((message) => message.ts !== beforeMessageId));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    const bot = await teams.botOf(place.workspace);
    const mention = bot ? `<@${bot.userId}>` : undefined;
    const history = [];
    for (const message of found.slice(-limit)) {
      const fromThisBot = Boolean(bot && (message.user === bot.userId || message.bot_id === bot.botId));
      const userId = message.user ?? message.bot_id ?? 'unknown';
      const text = (mention ? (message.text ?? '').split(mention).join('') : (message.text ?? '')).replace(/\s+/g, ' ').trim();
      if (text) history.push({ userId, name: fromThisBot || !message.user ? undefined : await nameOf(place.workspace, message.user), text, fromThisBot });
    }
    return history;
  };

  const onMessage = async (event: SlackEvent, body: { team_id?: string; event_id?: string }, isMention: boolean) => {
    if (!chat) return;
    if (event.subtype && IGNORED_SUBTYPES.has(event.subtype)) return;
    const workspace = body.team_id ?? event.team ?? '';
    const bot = await teams.botOf(workspace);
    if (!bot) return;
    const authorId = event.user ?? event.bot_id;
    if (!authorId || authorId === bot.userId || event.bot_id === bot.botId) return;
    const mention = `<@${bot.userId}>`;
    const text = (event.text ?? '').split(mention).join('').replace(/\s+/g, ' ').trim();
    const isDirect = event.channel_type === 'im';
    const user: ChatUser = { id: authorId, name: event.user ? await nameOf(workspace, event.user) : authorId, isBot: Boolean(event.bot_id) || event.subtype === 'bot_message' };
    const message: IncomingMessage = {
      place: { platform: 'slack', workspace: workspace || bot.teamId, channel: event.channel, thread: event.thread_ts ?? event.ts },
      messageId: event.ts,
      eventId: body.event_id,
      user,
      text,
      mentionsBot: isMention || (event.text ?? '').includes(mention),
      isDirect,
      userTeam: event.user_team ?? event.team ?? body.team_id,
    };
    const attached = slackEventFiles(event.files);
    if (attached.length > 0) message.files = attached;
    await chat.handleMessage(message);
  };

  app.event('app_mention', async ({ event, body }) => onMessage(event as unknown as SlackEvent, body as never, true));
  app.event('message', async ({ event, body }) => onMessage(event as unknown as SlackEvent, body as never, false));

  app.command(options.slashCommand, async ({ command, ack, respond }) => {
    await ack();
    if (!chat) return;
    await chat.handleCommand({
      place: { platform: 'slack', workspace: command.team_id, channel: command.channel_id },
      user: { id: command.user_id, name: command.user_name },
      text: command.text ?? '',
      reply: async (markdown) => {
        await respond({ response_type: 'ephemeral', text: toMrkdwn(markdown) });
      },
    });
  });

  app.action(new RegExp(`^${PROMPT_ACTION_PREFIX}:`), async ({ ack, body, action }) => {
    await ack();
    const parsed = parsePromptActionId((action as { action_id: string }).action_id);
    const interaction = body as unknown as {
      user: { id: string; name?: string; username?: string; team_id?: string };
      team?: { id: string };
      channel?: { id: string };
      message?: { ts: string; thread_ts?: string };
    };
    if (!chat || !parsed || !interaction.channel) return;
    const place: Place = {
      platform: 'slack',
      workspace: interaction.team?.id ?? interaction.user.team_id ?? '',
      channel: interaction.channel.id,
      thread: interaction.message?.thread_ts ?? interaction.message?.ts,
    };
    await chat.handleAction({
      place,
      user: { id: interaction.user.id, name: (await nameOf(place.workspace, interaction.user.id)) || interaction.user.username || interaction.user.name },
      promptId: parsed.promptId,
      optionIndex: parsed.optionIndex,
      replyPrivately: (markdown) => adapter.ephemeral(place, interaction.user.id, markdown),
    });
  });

  registerSlackForms(app, {
    chat: () => chat,
    clientFor: (workspace) => teams.clientFor(workspace),
    nameOf,
    ephemeral: (place, userId, markdown) => adapter.ephemeral(place, userId, markdown),
    log,
  });
  listenForUninstalls(app, teams, log);
  listenToAssistantThreads(app, {
    chat: () => chat,
    nameOf,
    ephemeral: (place, userId, markdown) => adapter.ephemeral(place, userId, markdown),
    warn: (message, fields) => log.warn(fields ?? {}, message),
  });

  app.error(async (error) => {
    log.error({ err: error }, 'Slack listener error');
  });

  const ownRoutes = () => {
    const routes = new Hono();
    if (httpReceiver) routes.post('/slack/events', (c) => httpReceiver.handle(c));
    if (oauth) routes.route('/', slackOAuthRoutes({ config: oauth.config, installations: oauth.installations, clientOptions, log }));
    return routes;
  };
  const mode = options.appToken ? 'socket' : 'http';
  return {
    adapter,
    describe: () => `slack (${mode})`,
    // HTTP mode: Slack posts events, commands and clicks here, signed (no API key). The OAuth
    // install's pages check their own state; both work in Socket Mode too.
    ...(httpReceiver || oauth ? { routes: () => ({ auth: 'own' as const, app: ownRoutes() }) } : {}),
    async start(host) {
      chat = host;
      await teams.start();
      if (!initialized) await app.init().catch((error: unknown) => Promise.reject(startFailure(error, 'SLACK_BOT_TOKEN')));
      initialized = true;
      if (socketReceiver) await socketReceiver.start().catch((error: unknown) => Promise.reject(startFailure(error, 'SLACK_APP_TOKEN')));
      log.info({ mode, install: teams.mode, botUserId: teams.singleBotUserId() }, 'Slack adapter started');
    },
    async stop() {
      chat = undefined;
      budget.close();
      if (socketReceiver) await socketReceiver.stop().catch(() => undefined);
    },
    health() {
      return { mode, ...teams.health() };
    },
  };
}

function requireSecret(secret: string | undefined): string {
  if (!secret) throw new Error('Slack HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)');
  return secret;
}

/** Bolt logs through Switchboard's logger. */
function toBoltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  let level: LogLevel = LogLevel.INFO;
  return {
    debug: (...messages: unknown[]) => child.debug(messages.map(String).join(' ')),
    info: (...messages: unknown[]) => child.info(messages.map(String).join(' ')),
    warn: (...messages: unknown[]) => child.warn(messages.map(String).join(' ')),
    error: (...messages: unknown[]) => child.error(messages.map(String).join(' ')),
    setLevel: (next: LogLevel) => void (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}
