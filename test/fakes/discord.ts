import { DiscordGateway, INTENT_MESSAGE_CONTENT } from './discord-gateway.ts';
import { modalSubmitData } from './discord-modals.ts';
import { FakeDiscordFiles } from './discord-files.ts';
import { type DiscordCall, DiscordRest } from './discord-rest.ts';
import { type Channel, type DiscordUser, type Interaction, Snowflakes, type StoredMessage, userIdByName, wireMember, wireMessage } from './discord-wire.ts';
import { listenWithWebSocket, type FakeServer } from './listen.ts';

export type { DiscordCall } from './discord-rest.ts';
export type { DiscordUser } from './discord-wire.ts';

/**
 * A local stand-in for Discord, good enough for the real discord.js client: the REST routes
 * Switchboard calls (recorded, with scriptable 429s; discord-rest.ts) and a gateway WebSocket
 * that does HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME with replay of what
 * was missed (discord-gateway.ts), and dispatches messages and interactions the tests make up
 * (here). It honours the MessageContent intent as Discord does: without it, message content is
 * empty unless the message mentions the bot or is a DM; when the intent is not approved,
 * IDENTIFY with it is closed with 4014.
 */
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
  readonly interactions = new Map<string, Interaction>();
  readonly commands = new Map<string, unknown[]>();
  /** When set, every REST call answers 401 as Discord does for a wrong or reset token. */
  refuseToken = false;
  /** Whether the application may use the privileged MessageContent intent. */
  messageContentApproved = true;
  /** Intents of the current session, as IDENTIFY gave them. */
  intents = 0;
  identifies = 0;
  resumes = 0;
  url = '';
  /** Attachments people post (served from a local CDN) and files the bot uploads (multipart, with the size limit). */
  readonly files = new FakeDiscordFiles(() => this.url);

  #server: FakeServer | undefined;
  readonly #snowflakes = new Snowflakes();
  readonly #gateway = new DiscordGateway(this);
  readonly #rest = new DiscordRest(this);

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

  /** Every REST call the client made, oldest first. */
  get calls(): DiscordCall[] {
    return this.#rest.calls;
  }

  userId(name: string): string {
    return userIdByName(this.users, name);
  }

  addTextChannel(id: string, name: string): Channel {
    const channel: Channel = {
      id,
      type: 0,
      guild_id: this.guildId,
      name,
      position: this.channels.size,
      permission_overwrites: [],
      parent_id: null,
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    };
    this.channels.set(id, channel);
    return channel;
  }

  /** A public thread people opened under a channel (Discord tells the bot with THREAD_CREATE). */
  addThread(parentId: string, name: string, ownerName: string): Channel {
    const parent = this.channels.get(parentId);
    if (!parent) throw new Error(`no channel ${parentId}`);
    const thread: Channel = {
      id: this.snowflake(),
      type: 11,
      guild_id: this.guildId,
      parent_id: parentId,
      name,
      owner_id: this.userId(ownerName),
      message_count: 0,
      member_count: 1,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    };
    this.channels.set(thread.id, thread);
    this.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
    return thread;
  }

  snowflake(): string {
    return this.#snowflakes.next();
  }

  /** Listens on a free port, or on `port` (a Discord that comes up where Switchboard already looks for it). */
  async start(port = 0): Promise<void> {
    this.#server = await listenWithWebSocket(
      async (req, res) => {
        if (!this.files.handle(req, res)) await this.#rest.handle(req, res);
      },
      '/gateway',
      (socket) => this.#gateway.onConnection(socket),
      port,
    );
    this.url = this.#server.url;
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  // ------------------------------------------------------------------ gateway

  get connected(): boolean {
    return this.#gateway.connected;
  }

  /** Resolves once a client has identified (or resumed) and is receiving events. */
  whenReady(): Promise<void> {
    return this.#gateway.whenReady();
  }

  /** While held, new gateway connections get no HELLO (Discord unreachable); `releaseGateway` lets them in. */
  holdGateway(): void {
    this.#gateway.hold();
  }

  releaseGateway(): void {
    this.#gateway.release();
  }

  /** Cuts the gateway connection (as a network blip or a Discord restart does); the client should resume. */
  dropGateway(code = 4000): void {
    this.#gateway.drop(code);
  }

  dispatch(t: string, d: unknown): void {
    this.#gateway.dispatch(t, d);
  }

  // ------------------------------------------------------------------ REST

  /** The next calls that match `method path` (a RegExp on "PATCH /channels/1/messages/2") answer 429 with Retry-After. */
  failNext(route: RegExp, ...failures: Array<{ status: 429; retryAfter: number }>): void {
    this.#rest.failNext(route, failures);
  }

  /** Enforces Discord's route buckets and global limit from now on (discord-limits.ts). */
  enforceLimits(): void {
    this.#rest.limits.enforce();
  }

  /** Every REST answer comes back this long after its call arrived (and was counted), as over a real network. */
  set latencyMs(ms: number) {
    this.#rest.latencyMs = ms;
  }

  /** Calls that arrived while a 429's Retry-After for their bucket was still running. */
  callsDuringRetryAfter(): DiscordCall[] {
    return this.calls.filter((call) => call.duringRetryAfter);
  }

  callsTo(pattern: RegExp): DiscordCall[] {
    return this.calls.filter((call) => pattern.test(`${call.method} ${call.path}`));
  }

  nextCall(match: (call: DiscordCall) => boolean): Promise<DiscordCall> {
    return this.#rest.nextCall(match);
  }

  /** Messages the bot sent in a channel (a thread is a channel), oldest first. */
  botMessages(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((message) => message.channel_id === channelId && message.author.id === this.botUser.id);
  }

  // ------------------------------------------------------------------ what people do

  /** A user posts a message; returns the message as Discord stored it. */
  userMessage(o: {
    channel: string;
    user: string;
    content: string;
    mention?: boolean;
    reference?: string;
    attachments?: Array<{ filename: string; contentType: string; bytes: Buffer }>;
  }): StoredMessage {
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
      ...(o.reference ? { message_reference: { message_id: o.reference, channel_id: channel.id, ...(channel.guild_id ? { guild_id: channel.guild_id } : {}) } } : {}),
      ...(o.attachments ? { attachments: o.attachments.map((file) => this.files.host(this.snowflake(), channel.id, file)) } : {}),
    };
    this.messages.set(message.id, message);
    const isDirect = channel.type === 1;
    // Without the MessageContent intent, Discord blanks the content of messages not meant for the bot.
    const visible = (this.intents & INTENT_MESSAGE_CONTENT) !== 0 || isDirect || Boolean(o.mention);
    this.dispatch('MESSAGE_CREATE', {
      ...wireMessage(message, this.channels),
      content: visible ? content : '',
      mentions: o.mention ? [this.botUser] : [],
      ...(channel.guild_id ? { member: wireMember(this, author.id) } : {}),
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
  slashCommand(o: {
    channel: string;
    user: string;
    sub: string;
    options?: Array<{ name: string; type: number; value: unknown; focused?: boolean }>;
    autocomplete?: boolean;
  }): Interaction {
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
    return this.#interact(message.channel_id, o.user, 3, { custom_id: o.customId, component_type: 2 }, wireMessage(message, this.channels));
  }

  /** A user fills in the modal shown in answer to `to` (by input label) and submits it: a MODAL_SUBMIT interaction (discord-modals.ts). */
  submitModal(o: { to: Interaction; user: string; fill: Record<string, string> }): Interaction {
    if (!o.to.modal) throw new Error('no modal was shown for that interaction');
    const message = o.to.messageId ? this.messages.get(o.to.messageId) : undefined;
    return this.#interact(o.to.channelId!, o.user, 5, modalSubmitData(o.to.modal, o.fill), message ? wireMessage(message, this.channels) : undefined);
  }

  #interact(channelId: string, user: string, type: number, data: Record<string, unknown>, message?: { id: string }): Interaction {
    const channel = this.channels.get(channelId)!;
    const author = this.users.get(this.userId(user))!;
    const interaction: Interaction = {
      id: this.snowflake(),
      token: `token-${this.snowflake()}`,
      type,
      createdAt: Date.now(),
      channelId,
      ...(message ? { messageId: message.id } : {}),
      callbacks: [],
      original: null,
      followups: [],
    };
    this.interactions.set(interaction.token, interaction);
    this.dispatch('INTERACTION_CREATE', {
      id: interaction.id,
      application_id: this.applicationId,
      type,
      token: interaction.token,
      version: 1,
      channel_id: channel.id,
      channel: { ...channel },
      ...(channel.guild_id ? { guild_id: channel.guild_id, member: { ...wireMember(this, author.id), permissions: '2251799813685247' } } : { user: author }),
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
}
