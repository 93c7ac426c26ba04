/**
 * The fake Discord's records (users, channels, messages, interactions) and how they look on
 * the wire: the guild, member and message shapes discord.js expects, and snowflake ids.
 */

const DISCORD_EPOCH = 1_420_070_400_000n;

export interface DiscordUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: null;
  bot?: boolean;
}

export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id?: string | undefined;
  author: DiscordUser;
  content: string;
  components: unknown[];
  timestamp: string;
  edited_timestamp: string | null;
  message_reference?: unknown;
  thread?: unknown;
  /** Files on the message (discord-files.ts serves them). */
  attachments?: unknown[] | undefined;
}

export interface Interaction {
  id: string;
  token: string;
  /** The interaction's type (2 command, 3 component, 4 autocomplete, 5 modal submit) and when Discord sent it. */
  type?: number;
  createdAt?: number;
  /** Where it happened, and the message whose component was used. */
  channelId?: string;
  messageId?: string;
  /** A modal shown in answer (callback type 9). */
  modal?: Record<string, unknown>;
  callbacks: Array<{ type: number; data?: Record<string, unknown> }>;
  original: Record<string, unknown> | null;
  followups: Array<Record<string, unknown>>;
}

export type Channel = Record<string, unknown> & { id: string; type: number; guild_id?: string; parent_id?: string | null; name?: string };

/** What the guild and its members are made of. */
export interface GuildRecords {
  readonly botUser: DiscordUser;
  readonly guildId: string;
  readonly users: Map<string, DiscordUser>;
  readonly roles: unknown[];
  readonly memberRoles: Map<string, string[]>;
  readonly channels: Map<string, Channel>;
}

/** Ids in Discord's format (milliseconds since the Discord epoch, then a counter), unique within one fake. */
export class Snowflakes {
  #counter = 0n;

  next(): string {
    this.#counter += 1n;
    return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (this.#counter & 0x3fffffn));
  }
}

export function userIdByName(users: Map<string, DiscordUser>, name: string): string {
  const found = [...users.values()].find((user) => user.username === name);
  if (!found) throw new Error(`no user ${name}`);
  return found.id;
}

export function wireGuild(records: GuildRecords) {
  return {
    id: records.guildId,
    name: 'Fake Guild',
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: userIdByName(records.users, 'ana'),
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: records.roles,
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    unavailable: false,
    large: false,
    member_count: records.users.size + 1,
    joined_at: new Date().toISOString(),
    channels: [...records.channels.values()].filter((channel) => channel.type === 0),
    threads: [...records.channels.values()].filter((channel) => channel.type === 11),
    members: [wireMember(records, records.botUser.id)],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function wireMember(records: Pick<GuildRecords, 'botUser' | 'users' | 'memberRoles'>, userId: string) {
  const user = userId === records.botUser.id ? records.botUser : records.users.get(userId)!;
  return {
    user,
    roles: records.memberRoles.get(userId) ?? [],
    joined_at: new Date().toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    nick: null,
    avatar: null,
    premium_since: null,
    pending: false,
  };
}

export function wireMessage(message: StoredMessage, channels: Map<string, Channel>) {
  return {
    id: message.id,
    channel_id: message.channel_id,
    // Discord tells the channel's type with each message (discord.js needs it for a DM it has not cached).
    channel_type: channels.get(message.channel_id)?.type ?? 0,
    ...(message.guild_id ? { guild_id: message.guild_id } : {}),
    author: message.author,
    content: message.content,
    timestamp: message.timestamp,
    edited_timestamp: message.edited_timestamp,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: message.attachments ?? [],
    embeds: [],
    pinned: false,
    type: message.message_reference ? 19 : 0,
    flags: 0,
    components: message.components,
    ...(message.message_reference ? { message_reference: message.message_reference } : {}),
  };
}

/** A message sent through an interaction's webhook (an edit of the original answer, or a follow-up); it is not stored. */
export function wireWebhookMessage(o: { id: string; author: DiscordUser; content: string; flags: number }) {
  return {
    id: o.id,
    channel_id: '0',
    author: o.author,
    content: o.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    flags: o.flags,
    components: [],
  };
}
