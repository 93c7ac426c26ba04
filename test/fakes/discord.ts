import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { listenWithWebSocket, type FakeServer } from './listen.ts';

/**
 * A local stand-in for Discord, good enough for the real discord.js client: the REST routes
 * Switchboard calls (recorded, with scriptable 429s) and a gateway WebSocket that does
 * HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME with replay of what was
 * missed, and dispatches messages and interactions the tests make up. It honours the
 * MessageContent intent as Discord does: without it, message content is empty unless the
 * message mentions the bot or is a DM; when the intent is not approved, IDENTIFY with it
 * is closed with 4014.
 */

const DISCORD_EPOCH = 1_420_070_400_000n;
const INTENT_MESSAGE_CONTENT = 1 << 15;

export interface DiscordUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: null;
  bot?: boolean;
}

export interface DiscordCall {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  at: number;
}

interface StoredMessage {
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
}

interface Interaction {
  id: string;
  token: string;
  callbacks: Array<{ type: number; data?: Record<string, unknown> }>;
  original: Record<string, unknown> | null;
  followups: Array<Record<string, unknown>>;
}

type Channel = Record<string, unknown> & { id: string; type: number; guild_id?: string; parent_id?: string | null; name?: string };

export class FakeDiscord {
  readonly botUser: DiscordUser = { id: '100000000000000001', username: 'switchboard', discriminator: '0', global_name: 'Switchboard', avatar: null, bot: true };
  readonly applicationId = '100000000000000002';
  readonly guildId = '200000000000000001';
  readonly users = new Map<string, DiscordUser>();
  readonly roles = [
    { id: this.guildId, name: '@everyone', permissions: '1071698660929', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
    { id: '300000000000000001', name: 'approvers', permissions: '0', position: 1, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
  ];
  readonly memberRoles = new Map<string, string[]>();
  readonly channels = new Map<string, Channel>();
  readonly messages = new Map<string, StoredMessage>();
  readonly calls: DiscordCall[] = [];
  readonly interactions = new Map<string, Interaction>();
  readonly commands = new Map<string, unknown[]>();
  /** Whether the application may use the privileged MessageContent intent. */
  messageContentApproved = true;
  /** Intents of the current session, as IDENTIFY gave them. */
  intents = 0;
  identifies = 0;
  resumes = 0;
  url = '';

  #server: FakeServer | undefined;
  #socket: WebSocket | undefined;
  #sequence = 0;
  #sessionId = '';
  /** Dispatches of the session, for RESUME to replay what a dropped connection missed. */
  #sent: Array<{ s: number; t: string; d: unknown }> = [];
  #counter = 0n;
  #failures = new Map<string, Array<{ status: number; retryAfter: number }>>();
  #waiters = new Set<{ match: (call: DiscordCall) => boolean; resolve: (call: DiscordCall) => void }>();
  #readyWaiters: Array<() => void> = [];

  constructor() {
    for (const [id, name] of [
      ['400000000000000001', 'ana'],
      ['400000000000000002', 'bo'],
      ['400000000000000003', 'cy'],
    ] as const) {
      this.users.set(id, { id, username: name, discriminator: '0', global_name: name, avatar: null });
    }
    this.memberRoles.set('400000000000000003', ['300000000000000001']);
    this.addTextChannel('500000000000000001', 'general');
    this.addTextChannel('500000000000000002', 'writers');
  }

  get apiUrl(): string {
    return `${this.url}/api`;
  }

  userId(name: string): string {
    const found = [...this.users.values()].find((user) => user.username === name);
    if (!found) throw new Error(`no user ${name}`);
    return found.id;
  }

  addTextChannel(id: string, name: string): Channel {
    const channel: Channel = { id, type: 0, guild_id: this.guildId, name, position: this.channels.size, permission_overwrites: [], parent_id: null, nsfw: false, topic: null, last_message_id: null, rate_limit_per_user: 0, flags: 0 };
    this.channels.set(id, channel);
    return channel;
  }

  snowflake(): string {
    this.#counter += 1n;
    return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (this.#counter & 0x3fffffn));
  }

  async start(): Promise<void> {
    this.#server = await listenWithWebSocket((req, res) => this.#handle(req, res), '/gateway', (socket) => this.#onConnection(socket));
    this.url = this.#server.url;
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  get connected(): boolean {
    return this.#socket?.readyState === 1 && this.#sessionId !== '';
  }

  /** Resolves once a client has identified (or resumed) and is receiving events. */
  whenReady(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** While held, new gateway connections get no HELLO (Discord unreachable); `releaseGateway` lets them in. */
  holdGateway(): void {
    this.#held = [];
  }

  releaseGateway(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const socket of held) this.#hello(socket);
  }

  #held: WebSocket[] | undefined;

  /** Cuts the gateway connection (as a network blip or a Discord restart does); the client should resume. */
  dropGateway(code = 4000): void {
    this.#socket?.close(code, 'dropped by the test');
    this.#socket = undefined;
  }

  // ------------------------------------------------------------------ what people do

  /** A user posts a message; returns the message as Discord stored it. */
  userMessage(o: { channel: string; user: string; content: string; mention?: boolean; reference?: string }): StoredMessage {
    const channel = this.channels.get(o.channel);
    if (!channel) throw new Error(`no channel ${o.channel}`);
    const author = this.users.get(this.userId(o.user))!;
    const content = o.mention ? `<@${this.botUser.id}> ${o.content}` : o.content;
    const message: StoredMessage = {
      id: this.snowflake(),
      channel_id: channel.id,
      ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
      author,
      content,
      components: [],
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
    };
    this.messages.set(message.id, message);
    const isDirect = channel.type === 1;
    // Without the MessageContent intent, Discord blanks the content of messages not meant for the bot.
    const visible = (this.intents & INTENT_MESSAGE_CONTENT) !== 0 || isDirect || Boolean(o.mention);
    this.dispatch('MESSAGE_CREATE', {
      ...this.#wire(message),
      content: visible ? content : '',
      mentions: o.mention ? [this.botUser] : [],
      ...(channel.guild_id ? { member: this.#member(author.id) } : {}),
    });
    return message;
  }

  /** A DM channel between a user and the bot. */
  dmChannel(user: string): Channel {
    const recipient = this.users.get(this.userId(user))!;
    const existing = [...this.channels.values()].find((channel) => channel.type === 1 && (channel.recipients as DiscordUser[])[0]!.id === recipient.id);
    if (existing) return existing;
    const channel: Channel = { id: this.snowflake(), type: 1, recipients: [recipient], last_message_id: null, flags: 0 };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** `/sb <sub> ...` typed by a user; resolves with the interaction for its callbacks and edits. */
  slashCommand(o: { channel: string; user: string; sub: string; options?: Array<{ name: string; type: number; value: unknown; focused?: boolean }>; autocomplete?: boolean }): Interaction {
    const commandId = (this.commands.get(this.guildId)?.[0] as { id?: string } | undefined)?.id ?? this.snowflake();
    return this.#interact(o.channel, o.user, o.autocomplete ? 4 : 2, {
      id: commandId,
      name: 'sb',
      type: 1,
      guild_id: this.channels.get(o.channel)?.guild_id,
      options: [{ type: 1, name: o.sub, options: o.options ?? [] }],
    });
  }

  /** A click on a button of a message. */
  click(o: { message: string; customId: string; user: string }): Interaction {
    const message = this.messages.get(o.message);
    if (!message) throw new Error(`no message ${o.message}`);
    return this.#interact(message.channel_id, o.user, 3, { custom_id: o.customId, component_type: 2 }, this.#wire(message));
  }

  #interact(channelId: string, user: string, type: number, data: Record<string, unknown>, message?: unknown): Interaction {
    const channel = this.channels.get(channelId)!;
    const author = this.users.get(this.userId(user))!;
    const interaction: Interaction = { id: this.snowflake(), token: `token-${this.snowflake()}`, callbacks: [], original: null, followups: [] };
    this.interactions.set(interaction.token, interaction);
    this.dispatch('INTERACTION_CREATE', {
      id: interaction.id,
      application_id: this.applicationId,
      type,
      token: interaction.token,
      version: 1,
      channel_id: channel.id,
      channel: { ...channel },
      ...(channel.guild_id ? { guild_id: channel.guild_id, member: { ...this.#member(author.id), permissions: '2251799813685247' } } : { user: author }),
      app_permissions: '2251799813685247',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: {},
      context: channel.guild_id ? 0 : 1,
      data,
      ...(message ? { message } : {}),
    });
    return interaction;
  }

  // ------------------------------------------------------------------ gateway

  dispatch(t: string, d: unknown): void {
    const s = ++this.#sequence;
    this.#sent.push({ s, t, d });
    if (this.#sent.length > 1000) this.#sent.shift();
    if (this.connected) this.#socket!.send(JSON.stringify({ op: 0, s, t, d }));
  }

  #onConnection(socket: WebSocket): void {
    socket.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> | number | null };
      switch (payload.op) {
        case 1:
          socket.send(JSON.stringify({ op: 11 }));
          break;
        case 2:
          this.#identify(socket, payload.d as { intents: number });
          break;
        case 6:
          this.#resume(socket, payload.d as { session_id: string; seq: number });
          break;
        default:
          break;
      }
    });
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    if (this.#held) this.#held.push(socket);
    else this.#hello(socket);
  }

  #hello(socket: WebSocket): void {
    if (socket.readyState === 1) socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
  }

  #identify(socket: WebSocket, d: { intents: number }): void {
    if ((d.intents & INTENT_MESSAGE_CONTENT) !== 0 && !this.messageContentApproved) {
      socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    this.identifies += 1;
    this.intents = d.intents;
    this.#sessionId = `session-${this.identifies}`;
    this.#sent = [];
    this.#socket = socket;
    this.#sequence = 0;
    const ready = {
      v: 10,
      user: this.botUser,
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: this.#sessionId,
      resume_gateway_url: `${this.url.replace('http', 'ws')}/gateway`,
      shard: [0, 1],
      application: { id: this.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      user_settings: {},
    };
    this.dispatch('READY', ready);
    this.dispatch('GUILD_CREATE', this.#guild());
    for (const resolve of this.#readyWaiters.splice(0)) resolve();
  }

  #resume(socket: WebSocket, d: { session_id: string; seq: number }): void {
    if (d.session_id !== this.#sessionId) {
      socket.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    this.resumes += 1;
    this.#socket = socket;
    for (const event of this.#sent.filter((entry) => entry.s > d.seq)) socket.send(JSON.stringify({ op: 0, ...event }));
    this.dispatch('RESUMED', {});
    for (const resolve of this.#readyWaiters.splice(0)) resolve();
  }

  #guild() {
    return {
      id: this.guildId,
      name: 'Fake Guild',
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.userId('ana'),
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: this.roles,
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
      member_count: this.users.size + 1,
      joined_at: new Date().toISOString(),
      channels: [...this.channels.values()].filter((channel) => channel.type === 0),
      threads: [...this.channels.values()].filter((channel) => channel.type === 11),
      members: [this.#member(this.botUser.id)],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  #member(userId: string) {
    const user = userId === this.botUser.id ? this.botUser : this.users.get(userId)!;
    return { user, roles: this.memberRoles.get(userId) ?? [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, nick: null, avatar: null, premium_since: null, pending: false };
  }

  #wire(message: StoredMessage) {
    return {
      id: message.id,
      channel_id: message.channel_id,
      // Discord tells the channel's type with each message (discord.js needs it for a DM it has not cached).
      channel_type: this.channels.get(message.channel_id)?.type ?? 0,
      ...(message.guild_id ? { guild_id: message.guild_id } : {}),
      author: message.author,
      content: message.content,
      timestamp: message.timestamp,
      edited_timestamp: message.edited_timestamp,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: message.message_reference ? 19 : 0,
      flags: 0,
      components: message.components,
      ...(message.message_reference ? { message_reference: message.message_reference } : {}),
    };
  }

  // ------------------------------------------------------------------ REST

  /** The next calls that match `method path` (a RegExp on "PATCH /channels/1/messages/2") answer 429 with Retry-After. */
  failNext(route: RegExp, ...failures: Array<{ status: 429; retryAfter: number }>): void {
    const key = route.source;
    this.#failures.set(key, [...(this.#failures.get(key) ?? []), ...failures]);
    this.#failureRoutes.set(key, route);
  }

  readonly #failureRoutes = new Map<string, RegExp>();

  callsTo(pattern: RegExp): DiscordCall[] {
    return this.calls.filter((call) => pattern.test(`${call.method} ${call.path}`));
  }

  nextCall(match: (call: DiscordCall) => boolean): Promise<DiscordCall> {
    return new Promise((resolve) => this.#waiters.add({ match, resolve }));
  }

  /** Messages the bot sent in a channel (a thread is a channel), oldest first. */
  botMessages(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((message) => message.channel_id === channelId && message.author.id === this.botUser.id);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk) => (data += String(chunk)));
      req.on('end', () => resolve(data));
    });
    const method = req.method ?? 'GET';
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!).replace(/^\/api\/v\d+/, '');
    const body = raw ? (safeJson(raw) as Record<string, unknown>) : null;
    const call: DiscordCall = { method, path, body, at: Date.now() };
    this.calls.push(call);
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(call)) {
        this.#waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
    const route = `${method} ${path}`;
    for (const [key, pattern] of this.#failureRoutes) {
      const pending = this.#failures.get(key);
      if (pending?.length && pattern.test(route)) {
        const failure = pending.shift()!;
        res.writeHead(failure.status, {
          'content-type': 'application/json',
          'retry-after': String(failure.retryAfter),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(failure.retryAfter),
          'x-ratelimit-bucket': 'fake-bucket',
          'x-ratelimit-scope': 'user',
        });
        res.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: failure.retryAfter, global: false }));
        return;
      }
    }
    const answer = this.#answer(method, path, body ?? {});
    if (answer === undefined) {
      res.writeHead(204).end();
      return;
    }
    const [status, payload] = answer;
    res.writeHead(status, { 'content-type': 'application/json', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '4', 'x-ratelimit-reset-after': '1', 'x-ratelimit-bucket': 'fake-bucket' });
    res.end(JSON.stringify(payload));
  }

  #answer(method: string, path: string, body: Record<string, unknown>): [number, unknown] | undefined {
    let match: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return [200, { url: `${this.url.replace('http', 'ws')}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } }];
    }
    if (method === 'GET' && path === '/users/@me') return [200, this.botUser];
    if ((match = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path)) && method === 'PUT') {
      const commands = (body as unknown as Array<Record<string, unknown>>).map((command) => ({ ...command, id: this.snowflake(), application_id: this.applicationId, version: this.snowflake(), type: 1, ...(match![2] ? { guild_id: match![2] } : {}) }));
      this.commands.set(match[2] ?? 'global', commands);
      return [200, commands];
    }
    if ((match = /^\/channels\/(\d+)$/.exec(path)) && method === 'GET') {
      const channel = this.channels.get(match[1]!);
      return channel ? [200, channel] : [404, { message: 'Unknown Channel', code: 10003 }];
    }
    if ((match = /^\/channels\/(\d+)\/typing$/.exec(path)) && method === 'POST') return undefined;
    if ((match = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST') {
      const channel = this.channels.get(match[1]!);
      if (!channel) return [404, { message: 'Unknown Channel', code: 10003 }];
      const content = String(body.content ?? '');
      if (content.length > 2000) return [400, { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } }];
      const message: StoredMessage = {
        id: this.snowflake(),
        channel_id: channel.id,
        ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
        author: this.botUser,
        content,
        components: (body.components as unknown[]) ?? [],
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        ...(body.message_reference ? { message_reference: body.message_reference } : {}),
      };
      this.messages.set(message.id, message);
      this.dispatch('MESSAGE_CREATE', this.#wire(message));
      return [200, this.#wire(message)];
    }
    if ((match = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'PATCH') {
      const message = this.messages.get(match[2]!);
      if (!message || message.channel_id !== match[1]) return [404, { message: 'Unknown Message', code: 10008 }];
      if (body.content !== undefined) {
        if (String(body.content).length > 2000) return [400, { message: 'Invalid Form Body', code: 50035 }];
        message.content = String(body.content);
      }
      if (body.components !== undefined) message.components = body.components as unknown[];
      message.edited_timestamp = new Date().toISOString();
      return [200, this.#wire(message)];
    }
    if ((match = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path)) && method === 'POST') {
      const parent = this.channels.get(match[1]!);
      const message = this.messages.get(match[2]!);
      if (!parent || !message) return [404, { message: 'Unknown Message', code: 10008 }];
      const thread: Channel = {
        id: message.id,
        type: 11,
        guild_id: parent.guild_id!,
        parent_id: parent.id,
        name: String(body.name ?? 'thread'),
        owner_id: this.botUser.id,
        message_count: 0,
        member_count: 1,
        rate_limit_per_user: 0,
        flags: 0,
        thread_metadata: { archived: false, auto_archive_duration: Number(body.auto_archive_duration ?? 1440), archive_timestamp: new Date().toISOString(), locked: false },
      };
      this.channels.set(thread.id, thread);
      this.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
      return [201, thread];
    }
    if ((match = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path)) && method === 'POST') {
      const interaction = this.interactions.get(decodeURIComponent(match[2]!));
      if (!interaction) return [404, { message: 'Unknown interaction', code: 10062 }];
      interaction.callbacks.push(body as { type: number; data?: Record<string, unknown> });
      if (body.type === 4) interaction.original = (body.data as Record<string, unknown>) ?? {};
      return undefined;
    }
    if ((match = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/.exec(path)) && method === 'PATCH') {
      const interaction = this.interactions.get(decodeURIComponent(match[2]!));
      if (!interaction) return [404, { message: 'Unknown Webhook', code: 10015 }];
      interaction.original = { ...(interaction.original ?? {}), ...body };
      return [200, { id: this.snowflake(), channel_id: '0', author: this.botUser, content: String(body.content ?? ''), timestamp: new Date().toISOString(), edited_timestamp: null, tts: false, mention_everyone: false, mentions: [], mention_roles: [], attachments: [], embeds: [], pinned: false, type: 0, flags: 64, components: [] }];
    }
    if ((match = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path)) && method === 'POST') {
      const interaction = this.interactions.get(decodeURIComponent(match[2]!));
      if (!interaction) return [404, { message: 'Unknown Webhook', code: 10015 }];
      interaction.followups.push(body);
      return [200, { id: this.snowflake(), channel_id: '0', author: this.botUser, content: String(body.content ?? ''), timestamp: new Date().toISOString(), edited_timestamp: null, tts: false, mention_everyone: false, mentions: [], mention_roles: [], attachments: [], embeds: [], pinned: false, type: 0, flags: Number(body.flags ?? 0), components: [] }];
    }
    return [404, { message: `the fake has no route ${method} ${path}`, code: 0 }];
  }
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
