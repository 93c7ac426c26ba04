import {
  ChannelType,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  REST,
  Routes,
  type APIMessage,
  type APIThreadChannel,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type GuildMember,
  type Interaction,
  type Message,
} from 'discord.js';
import type { Logger } from 'pino';
import { parseFeedbackActionId } from '../../src/chat/feedback.ts';
import { parsePromptActionId } from '../../src/chat/prompt-action.ts';
import { BudgetShortError, type RateLedger } from '../../src/chat/rate-limiter.ts';
import { splitMessage } from '../../src/chat/split.ts';
import type { ChatAdapter, ChatHost, ChatUser, HistoryMessage, IncomingMessage, Place, Platform } from '../../src/chat/types.ts';
import { commandText, slashCommandData } from './commands.ts';
import { render } from './components.ts';
import { ChannelContention } from './contention.ts';
import { discordForms } from './forms.ts';
import { DiscordPacer } from './rate-limits.ts';
import { countRestErrors, countUnanswered, startFailure, toDeliveryError } from './errors.ts';
import { DISCORD_UPLOAD_LIMIT, discordAttachments, fetchAttachment, postAttachment } from './files.ts';
import { GatewayHealth } from './gateway-health.ts';
import { TypingIndicator } from './typing.ts';

export interface DiscordAdapterOptions {
  token: string;
  /** Another API base URL (proxies, tests); the gateway URL then comes from its GET /gateway/bot. */
  apiUrl?: string | undefined;
  /** Register the slash command in this guild only (instant), rather than globally. */
  guildId?: string | undefined;
  command: string;
  threadPerConversation: boolean;
  log: Logger;
  /** Processes sharing a database share Discord's rate budgets through it (absent: this process's own). */
  rateLedger?: RateLedger | undefined;
}

const MAX_CHARS = 2000;
const DISALLOWED_INTENTS = 4014;
/** Where DMs live in a Place (Discord has no guild for them). */
const DM_WORKSPACE = '@me';

/**
 * Discord, on discord.js: guild text channels, their threads and DMs become conversations
 * (a text channel or a DM is one conversation; a thread is its own, under its channel),
 * `/sb` runs the chat commands, replies stream by throttled edits (discord.js waits out
 * rate limits), prompts are buttons, and the gateway's state is part of health.
 * Sending is REST, from any process; receiving is the gateway, held by the leader only.
 */
export function createDiscordPlatform(options: DiscordAdapterOptions): Platform {
  const { log } = options;
  const health = new GatewayHealth();
  let client: Client | undefined;
  let chat: ChatHost | undefined;
  let messageContent = true;

  // Sending needs no gateway: every process can deliver replies through REST.
  // `offset` waits a little past each bucket's reset (discord.js's default is 50 ms): Discord
  // counts a call when it arrives, and a loaded process's timers and sockets drift by more.
  // One pacer for both REST clients (replies here, the gateway client's own): the global limit is the bot's, not a client's.
  const pacer = new DiscordPacer({ ledger: options.rateLedger });
  const rest = new REST({ ...(options.apiUrl ? { api: options.apiUrl } : {}), retries: 1, timeout: 15_000, offset: 250, makeRequest: pacer.makeRequest }).setToken(options.token);
  countRestErrors(rest);
  let botUserId: string | undefined;
  /** Where a conversation's messages go: its thread (a Discord thread, or the channel itself). */
  const target = (place: Place) => place.thread ?? place.channel;
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      countUnanswered(error);
      throw toDeliveryError(error);
    }
  };
  const contention = new ChannelContention(rest);
  /**
   * A call to a conversation's channel on `route`; a `partial` one is skipped (BudgetShortError)
   * while that channel's queue is busy or the route's budget (or the global one) is short.
   */
  const toChannel = async <T>(channelId: string, partial: boolean | undefined, route: [method: string, path: string], work: () => Promise<T>): Promise<T> => {
    if (partial) {
      contention.spareOrSkip(channelId);
      if (!pacer.canSpare(...route)) throw new BudgetShortError(`discord:${route.join(' ')}`);
    }
    return contention.track(channelId, () => call(work));
  };
  // Typing is the first thing dropped when a channel's budget is short.
  const typing = new TypingIndicator(async (channelId) => {
    if (contention.canSpare(channelId) && pacer.canSpare('POST', Routes.channelTyping(channelId))) {
      await contention.track(channelId, () => rest.post(Routes.channelTyping(channelId)));
    }
  });

  const adapter: ChatAdapter = {
    platform: 'discord',
    maxMessageChars: MAX_CHARS,
    maxUploadBytes: DISCORD_UPLOAD_LIMIT,
    botUserId: () => botUserId,
    fetchFile: fetchAttachment,
    async sendFile(place, file) {
      const sent = (await toChannel(target(place), false, ['POST', Routes.channelMessages(target(place))], () => postAttachment(rest, target(place), file))) as { id: string };
      return { messageId: sent.id };
    },
    async send(place, message) {
      const sent = (await toChannel(target(place), message.partial, ['POST', Routes.channelMessages(target(place))], () =>
        rest.post(Routes.channelMessages(target(place)), { body: { ...render(message), allowed_mentions: { parse: [] } } }),
      )) as APIMessage;
      return { messageId: sent.id };
    },
    async update(place, messageId, message) {
      const route = Routes.channelMessage(target(place), messageId);
      await toChannel(target(place), message.partial, ['PATCH', route], () => rest.patch(route, { body: render(message) }));
    },
    async ephemeral(place, userId, markdown) {
      // Outside an interaction Discord has no private messages in a channel: address the person by name.
      await toChannel(target(place), false, ['POST', Routes.channelMessages(target(place))], () =>
        rest.post(Routes.channelMessages(target(place)), { body: { content: `<@${userId}> ${markdown}`.slice(0, MAX_CHARS), allowed_mentions: { users: [userId] } } }),
      );
    },
    async status(place, busy) {
      if (busy) typing.start(target(place));
      else typing.stop(target(place));
    },
    async startConversation(message) {
      const { place } = message;
      // A mention in a text channel may open a Discord thread for the conversation.
      if (!options.threadPerConversation || !message.mentionsBot || message.isDirect || place.thread !== place.channel) return place;
      const thread = (await rest.post(Routes.threads(place.channel, message.messageId), {
        body: { name: threadName(message.text), auto_archive_duration: 1440 },
      })) as APIThreadChannel;
      return { ...place, thread: thread.id };
    },
  };

  const userOf = (user: { id: string; bot: boolean; username: string; globalName: string | null }, member: GuildMember | null | undefined): ChatUser => ({
    id: user.id,
    name: member?.displayName ?? user.globalName ?? user.username,
    isBot: user.bot,
    // Prompts may be limited to roles: match them by id or by name.
    roles: member ? [...member.roles.cache.values()].filter((role) => role.id !== member.guild.id).flatMap((role) => [role.id, role.name]) : [],
  });

  const placeOf = (channel: { id: string; isThread(): boolean; parentId?: string | null; type: ChannelType }, guildId: string | null): Place => {
    if (channel.isThread() && channel.parentId) return { platform: 'discord', workspace: guildId ?? DM_WORKSPACE, channel: channel.parentId, thread: channel.id };
    return { platform: 'discord', workspace: guildId ?? DM_WORKSPACE, channel: channel.id, thread: channel.id };
  };

  /** A Discord thread's earlier messages (REST, so any process can read them), oldest first; none for a whole channel. */
  adapter.threadHistory = async (place, beforeMessageId, limit) => {
    if (!place.thread || place.thread === place.channel || limit <= 0) return [];
    const query = new URLSearchParams({ before: beforeMessageId, limit: String(Math.min(limit, 100)) });
    const newestFirst = (await call(() => rest.get(Routes.channelMessages(place.thread!), { query }))) as APIMessage[];
    const mention = botUserId ? new RegExp(`<@!?${botUserId}>`, 'g') : undefined;
    return newestFirst
      .reverse()
      .map((message) => ({
        userId: message.author.id,
        name: message.author.global_name ?? message.author.username,
        text: (mention ? message.content.replace(mention, ' ') : message.content).replace(/\s+/g, ' ').trim(),
        fromThisBot: message.author.id === botUserId,
      }))
      .filter((message) => message.text !== '');
  };

  /** The messages a reply answers, following each one's reference (at most 20, oldest first); what cannot be read ends the chain. */
  const replyChain = async (channelId: string, firstId: string): Promise<HistoryMessage[]> => {
    const chain: HistoryMessage[] = [];
    const mention = botUserId ? new RegExp(`<@!?${botUserId}>`, 'g') : undefined;
    for (let id: string | undefined = firstId; id && chain.length < 20; ) {
      const found = (await rest.get(Routes.channelMessage(channelId, id)).catch(() => null)) as APIMessage | null;
      if (!found) break;
      const text = (mention ? found.content.replace(mention, ' ') : found.content).replace(/\s+/g, ' ').trim();
      if (text) chain.unshift({ userId: found.author.id, name: found.author.global_name ?? found.author.username, text, fromThisBot: found.author.id === botUserId });
      id = found.message_reference?.channel_id === channelId || !found.message_reference?.channel_id ? found.message_reference?.message_id : undefined;
    }
    return chain;
  };

  const onMessage = async (message: Message) => {
    const me = client?.user;
    if (!chat || !me || message.author.id === me.id || message.system) return;
    const isDirect = message.channel.type === ChannelType.DM;
    const mentionsBot = message.mentions.users.has(me.id);
    const text = message.content
      .replace(new RegExp(`<@!?${me.id}>`, 'g'), ' ')
      .replace(/\s+/g, ' ')
      .trim();
    // Without the MessageContent intent Discord sends other messages empty: nothing to answer.
    if (!text && !isDirect && !mentionsBot && message.attachments.size === 0) return;
    const member = message.inGuild() ? message.member : null;
    const incoming: IncomingMessage = {
      place: placeOf(message.channel, message.guildId),
      messageId: message.id,
      user: userOf(message.author, member),
      text,
      mentionsBot,
      isDirect,
      // A mention that replies to a message: the chain it answers is what the bot is asked about.
      ...(mentionsBot && message.reference?.messageId ? { context: await replyChain(message.channelId, message.reference.messageId) } : {}),
      ...(message.attachments.size > 0 ? { files: discordAttachments(message.attachments.values()) } : {}),
    };
    await chat.handleMessage(incoming);
  };

  const onCommand = async (interaction: ChatInputCommandInteraction) => {
    // Discord waits 3 s for an answer: defer at once, then edit the deferred reply.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    if (!chat || !interaction.channel) return void (await interaction.editReply('Switchboard is starting; try again in a moment.'));
    let first = true;
    await chat.handleCommand({
      place: placeOf(interaction.channel, interaction.guildId),
      user: userOf(interaction.user, interaction.inCachedGuild() ? interaction.member : null),
      text: commandText(interaction),
      reply: async (markdown) => {
        for (const part of splitMessage(markdown, MAX_CHARS)) {
          if (first) await interaction.editReply({ content: part, allowedMentions: { parse: [] } });
          else await interaction.followUp({ content: part, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
          first = false;
        }
      },
    });
  };

  const onAutocomplete = async (interaction: AutocompleteInteraction) => {
    const typed = String(interaction.options.getFocused()).toLowerCase();
    const matching = ((await chat?.assistants()) ?? []).filter((assistant) => assistant.name.toLowerCase().includes(typed));
    const starts = (name: string) => (name.toLowerCase().startsWith(typed) ? 0 : 1);
    matching.sort((a, b) => starts(a.name) - starts(b.name) || a.name.localeCompare(b.name));
    await interaction.respond(
      matching.slice(0, 25).map((assistant) => ({ name: `${assistant.name}${assistant.description ? ` — ${assistant.description}` : ''}`.slice(0, 100), value: assistant.name })),
    );
  };

  const onButton = async (interaction: ButtonInteraction) => {
    const feedback = parseFeedbackActionId(interaction.customId);
    if (feedback?.vote) return onFeedback(interaction, { threadId: feedback.threadId, runId: feedback.runId }, feedback.vote === 'up');
    const parsed = parsePromptActionId(interaction.customId);
    if (!parsed || !interaction.channel) return;
    // Acknowledge the click at once; the prompt's message is edited when the answer is taken.
    await interaction.deferUpdate();
    if (!chat) return;
    await chat.handleAction({
      place: placeOf(interaction.channel, interaction.guildId),
      user: userOf(interaction.user, interaction.inCachedGuild() ? interaction.member : null),
      promptId: parsed.promptId,
      optionIndex: parsed.optionIndex,
      replyPrivately: async (markdown) => {
        await interaction.followUp({ content: markdown.slice(0, MAX_CHARS), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
      },
    });
  };

  const forms = discordForms({
    chat: () => chat,
    placeOf: (interaction) => (interaction.channel ? placeOf(interaction.channel, interaction.guildId) : undefined),
    userOf: (interaction) => userOf(interaction.user, interaction.inCachedGuild() ? interaction.member : null),
    log,
  });
  /** A 👍/👎 under an answer: acknowledged at once, recorded, and answered privately. */
  const onFeedback = async (interaction: ButtonInteraction, target: { threadId: string; runId: string }, positive: boolean) => {
    if (!interaction.channel) return;
    await interaction.deferUpdate();
    if (!chat) return;
    await chat.handleFeedback({
      place: placeOf(interaction.channel, interaction.guildId),
      user: userOf(interaction.user, interaction.inCachedGuild() ? interaction.member : null),
      target,
      positive,
      replyPrivately: async (markdown) => {
        await interaction.followUp({ content: markdown.slice(0, MAX_CHARS), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
      },
    });
  };

  const onInteraction = async (interaction: Interaction) => {
    if (interaction.isAutocomplete()) return onAutocomplete(interaction);
    if (interaction.isChatInputCommand() && interaction.commandName === options.command) return onCommand(interaction);
    if (interaction.isButton() && forms.isFormButton(interaction.customId)) return forms.openForm(interaction);
    if (interaction.isModalSubmit() && forms.isFormModal(interaction.customId)) return forms.submit(interaction);
    if (interaction.isButton()) return onButton(interaction);
  };

  const guarded =
    <A extends unknown[]>(what: string, handler: (...args: A) => Promise<unknown>) =>
    (...args: A) =>
      void handler(...args).catch((error: unknown) => log.error({ err: error }, `Discord: ${what} failed`));

  const connect = async (withMessageContent: boolean): Promise<Client> => {
    const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
    if (withMessageContent) intents.push(GatewayIntentBits.MessageContent);
    const next = new Client({
      intents,
      // DMs arrive in channels discord.js has not cached.
      partials: [Partials.Channel],
      rest: { ...(options.apiUrl ? { api: options.apiUrl } : {}), retries: 1, timeout: 15_000, makeRequest: pacer.makeRequest },
    });
    countRestErrors(next.rest);
    next.on(Events.MessageCreate, guarded('a message', onMessage));
    next.on(Events.InteractionCreate, guarded('an interaction', onInteraction));
    next.on(Events.ShardReady, () => health.set('ready'));
    next.on(Events.ShardResume, () => {
      health.resumes += 1;
      health.set('ready');
    });
    next.on(Events.ShardReconnecting, () => health.set('reconnecting'));
    next.on(Events.ShardDisconnect, (event) => health.set('closed', event.code));
    next.on(Events.ShardError, (error) => log.warn({ err: error }, 'Discord gateway error'));
    next.on(Events.Error, (error) => log.error({ err: error }, 'Discord client error'));
    const ready = new Promise<void>((resolve) => next.once(Events.ClientReady, () => resolve()));
    try {
      await next.login(options.token);
      await ready;
    } catch (error) {
      // A failed login leaves nothing behind (its sockets and timers), so the next attempt starts clean.
      await next.destroy();
      throw startFailure(error);
    }
    return next;
  };

  const registerCommands = async (connectedClient: Client) => {
    const commands = connectedClient.application!.commands;
    if (options.guildId) await commands.set([slashCommandData(options.command)], options.guildId);
    else await commands.set([slashCommandData(options.command)]);
  };

  return {
    adapter,
    describe: () => 'discord',
    needsLeader: true,
    async start(host) {
      chat = host;
      const me = (await rest.get(Routes.user('@me')).catch((error: unknown) => Promise.reject(startFailure(error)))) as { id: string };
      botUserId = me.id;
    },
    async lead() {
      if (client) return;
      health.set('connecting');
      try {
        client = await connect(messageContent);
      } catch (error) {
        if (health.closeCode !== DISALLOWED_INTENTS || !messageContent) throw error;
        messageContent = false;
        log.warn(
          'Discord refused the MessageContent intent (enable "Message Content Intent" under Bot in the Developer Portal). Continuing without it: mentions, DMs and /sb work; other messages arrive empty and are not answered.',
        );
        client = await connect(false);
      }
      await registerCommands(client);
      log.info({ botUserId, guild: options.guildId ?? 'global', messageContent }, 'Discord gateway connected');
    },
    async standDown() {
      const connected = client;
      client = undefined;
      await connected?.destroy();
      health.set('standby');
    },
    async stop() {
      chat = undefined;
      typing.stopAll();
      pacer.close();
      const connected = client;
      client = undefined;
      await connected?.destroy();
      health.set('closed');
    },
    health() {
      return { ...health.report(), message_content_intent: messageContent, bot_user_id: botUserId ?? null, healthy: health.healthy() };
    },
  };
}

/** A thread's name from the message that starts it (Discord allows 1 to 100 characters). */
function threadName(text: string): string {
  const name = text.replace(/\s+/g, ' ').trim();
  return (name.length > 90 ? `${name.slice(0, 89)}…` : name) || 'Conversation';
}
