import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeDiscordFiles, UploadedFile, WireAttachment } from './discord-files.ts';
import { invalidComponents } from './discord-components.ts';
import { DiscordLimits } from './discord-limits.ts';
import { checkCallback } from './discord-modals.ts';
import { type Channel, type DiscordUser, type Interaction, type StoredMessage, wireMessage, wireWebhookMessage } from './discord-wire.ts';

/**
 * The fake Discord's REST API: the routes Switchboard calls, each call recorded (for tests to
 * look at or wait for), and 429s a test can script ahead of a route.
 */

export interface DiscordCall {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  at: number;
  /** performance.now() when the call arrived (for the benchmark). */
  hr: number;
  /** Set when it was answered 429. */
  refused?: boolean;
  /** Set when it arrived while a 429's Retry-After for its bucket (or the global one) was still running. */
  duringRetryAfter?: boolean;
}

/** What the REST routes read and change of the fake. */
export interface RestHost {
  readonly url: string;
  readonly botUser: DiscordUser;
  readonly applicationId: string;
  readonly refuseToken: boolean;
  readonly messageContentApproved: boolean;
  readonly channels: Map<string, Channel>;
  readonly messages: Map<string, StoredMessage>;
  readonly interactions: Map<string, Interaction>;
  readonly commands: Map<string, unknown[]>;
  snowflake(): string;
  dispatch(t: string, d: unknown): void;
  /** Attachments: the local CDN and multipart uploads (discord-files.ts). */
  readonly files: FakeDiscordFiles;
}

export class DiscordRest {
  readonly calls: DiscordCall[] = [];
  readonly limits = new DiscordLimits();
  /** How long each answer takes to come back after Discord counted its call (a real network's round trip). */
  latencyMs = 0;
  readonly #host: RestHost;
  readonly #failures = new Map<string, Array<{ status: number; retryAfter: number }>>();
  readonly #failureRoutes = new Map<string, RegExp>();
  readonly #waiters = new Set<{ match: (call: DiscordCall) => boolean; resolve: (call: DiscordCall) => void }>();

  constructor(host: RestHost) {
    this.#host = host;
  }

  failNext(route: RegExp, failures: Array<{ status: number; retryAfter: number }>): void {
    const key = route.source;
    this.#failures.set(key, [...(this.#failures.get(key) ?? []), ...failures]);
    this.#failureRoutes.set(key, route);
  }

  nextCall(match: (call: DiscordCall) => boolean): Promise<DiscordCall> {
    return new Promise((resolve) => this.#waiters.add({ match, resolve }));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!).replace(/^\/api\/v\d+/, '');
    // A message with files comes as multipart: the message in payload_json, each file as files[n].
    const contentType = req.headers['content-type'] ?? '';
    const multipart = contentType.startsWith('multipart/form-data') ? await this.#host.files.readMultipart(bytes, contentType) : undefined;
    const raw = multipart ? '' : bytes.toString('utf8');
    const body = multipart ? multipart.payload : raw ? (safeJson(raw) as Record<string, unknown>) : null;
    const call: DiscordCall = { method, path, body, at: Date.now(), hr: performance.now() };
    const verdict = this.limits.judge(method, path, call.at);
    if (verdict.duringRetryAfter) call.duringRetryAfter = true;
    this.calls.push(call);
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(call)) {
        this.#waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
    // Counted on arrival, answered a round trip later: what is in flight meanwhile is the client's to account for.
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (this.#host.refuseToken) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: '401: Unauthorized', code: 0 }));
      return;
    }
    if (verdict.refusal) {
      call.refused = true;
      const { retryAfterS, global } = verdict.refusal;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(Math.ceil(retryAfterS)), ...verdict.headers });
      res.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: retryAfterS, global }));
      return;
    }
    const route = `${method} ${path}`;
    for (const [key, pattern] of this.#failureRoutes) {
      const pending = this.#failures.get(key);
      if (pending?.length && pattern.test(route)) {
        const failure = pending.shift()!;
        call.refused = true;
        this.limits.refused(method, path, call.at, failure.retryAfter);
        // As Discord: the 429 names the route's own bucket (a made-up one would send discord.js to a fresh queue).
        res.writeHead(failure.status, {
          'content-type': 'application/json',
          'retry-after': String(failure.retryAfter),
          ...verdict.headers,
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(failure.retryAfter),
          'x-ratelimit-scope': 'user',
        });
        res.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: failure.retryAfter, global: false }));
        return;
      }
    }
    const uploaded = multipart?.files ?? [];
    if (uploaded.reduce((total, file) => total + file.bytes.length, 0) > this.#host.files.uploadLimit) {
      res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Request entity too large', code: 40005 }));
      return;
    }
    const answer = this.#answer(method, path, body ?? {}, (req.url ?? '').split('?')[1] ?? '', uploaded);
    if (answer === undefined) {
      res.writeHead(204).end();
      return;
    }
    const [status, payload] = answer;
    // Rate-limit headers only for the routes whose buckets the fake models (discord-limits.ts), and only once enforced.
    res.writeHead(status, { 'content-type': 'application/json', ...verdict.headers });
    res.end(JSON.stringify(payload));
  }

  #answer(method: string, path: string, body: Record<string, unknown>, search: string, uploaded: UploadedFile[] = []): [number, unknown] | undefined {
    const host = this.#host;
    let match: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return [200, { url: `${host.url.replace('http', 'ws')}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } }];
    }
    if (method === 'GET' && path === '/users/@me') return [200, host.botUser];
    if (method === 'GET' && path === '/applications/@me') {
      // As Discord: the application, its bot, and flags; GATEWAY_MESSAGE_CONTENT_LIMITED (1 << 19) once the intent is enabled.
      return [
        200,
        {
          id: host.applicationId,
          name: host.botUser.username,
          icon: null,
          description: '',
          bot_public: false,
          bot_require_code_grant: false,
          verify_key: '0'.repeat(64),
          flags: host.messageContentApproved ? 1 << 19 : 0,
          bot: host.botUser,
        },
      ];
    }
    if ((match = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path)) && method === 'PUT') {
      const commands = (body as unknown as Array<Record<string, unknown>>).map((command) => ({
        ...command,
        id: host.snowflake(),
        application_id: host.applicationId,
        version: host.snowflake(),
        type: 1,
        ...(match![2] ? { guild_id: match![2] } : {}),
      }));
      host.commands.set(match[2] ?? 'global', commands);
      return [200, commands];
    }
    if ((match = /^\/channels\/(\d+)$/.exec(path)) && method === 'GET') {
      const channel = host.channels.get(match[1]!);
      return channel ? [200, channel] : [404, { message: 'Unknown Channel', code: 10003 }];
    }
    if ((match = /^\/channels\/(\d+)\/typing$/.exec(path)) && method === 'POST') return undefined;
    if ((match = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'GET') {
      // As Discord: newest first, `before` a message id, `limit` 1-100 (default 50), anything else a form error.
      const channel = host.channels.get(match[1]!);
      if (!channel) return [404, { message: 'Unknown Channel', code: 10003 }];
      const query = new URLSearchParams(search);
      const limit = query.has('limit') ? Number(query.get('limit')) : 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        return [
          400,
          { message: 'Invalid Form Body', code: 50035, errors: { limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' }] } } },
        ];
      const before = query.get('before');
      const found = [...host.messages.values()]
        .filter((message) => message.channel_id === channel.id && (!before || BigInt(message.id) < BigInt(before)))
        .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
        .slice(0, limit);
      return [200, found.map((message) => wireMessage(message, host.channels))];
    }
    if ((match = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST') {
      const channel = host.channels.get(match[1]!);
      if (!channel) return [404, { message: 'Unknown Channel', code: 10003 }];
      const badComponents = invalidComponents(body.components);
      if (badComponents) return badComponents as [number, Record<string, unknown>];
      const content = String(body.content ?? '');
      if (content.length > 2000)
        return [
          400,
          { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } },
        ];
      const message: StoredMessage = {
        id: host.snowflake(),
        channel_id: channel.id,
        ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
        author: host.botUser,
        content,
        components: (body.components as unknown[]) ?? [],
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        ...(body.message_reference ? { message_reference: body.message_reference } : {}),
        ...(uploaded.length > 0 ? { attachments: uploaded.map((file): WireAttachment => host.files.host(host.snowflake(), channel.id, file)) } : {}),
      };
      if (content === '' && uploaded.length === 0 && !(body.components as unknown[] | undefined)?.length) {
        return [400, { message: 'Cannot send an empty message', code: 50006 }];
      }
      host.messages.set(message.id, message);
      host.dispatch('MESSAGE_CREATE', wireMessage(message, host.channels));
      return [200, wireMessage(message, host.channels)];
    }
    if ((match = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'GET') {
      const message = host.messages.get(match[2]!);
      if (!message || message.channel_id !== match[1]) return [404, { message: 'Unknown Message', code: 10008 }];
      return [200, wireMessage(message, host.channels)];
    }
    if ((match = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'PATCH') {
      const message = host.messages.get(match[2]!);
      if (!message || message.channel_id !== match[1]) return [404, { message: 'Unknown Message', code: 10008 }];
      const badComponents = invalidComponents(body.components);
      if (badComponents) return badComponents as [number, Record<string, unknown>];
      if (body.content !== undefined) {
        if (String(body.content).length > 2000) return [400, { message: 'Invalid Form Body', code: 50035 }];
        message.content = String(body.content);
      }
      if (body.components !== undefined) message.components = body.components as unknown[];
      message.edited_timestamp = new Date().toISOString();
      return [200, wireMessage(message, host.channels)];
    }
    if ((match = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path)) && method === 'POST') {
      const parent = host.channels.get(match[1]!);
      const message = host.messages.get(match[2]!);
      if (!parent || !message) return [404, { message: 'Unknown Message', code: 10008 }];
      const thread: Channel = {
        id: message.id,
        type: 11,
        guild_id: parent.guild_id!,
        parent_id: parent.id,
        name: String(body.name ?? 'thread'),
        owner_id: host.botUser.id,
        message_count: 0,
        member_count: 1,
        rate_limit_per_user: 0,
        flags: 0,
        thread_metadata: { archived: false, auto_archive_duration: Number(body.auto_archive_duration ?? 1440), archive_timestamp: new Date().toISOString(), locked: false },
      };
      host.channels.set(thread.id, thread);
      host.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
      return [201, thread];
    }
    if ((match = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path)) && method === 'POST') {
      const interaction = host.interactions.get(decodeURIComponent(match[2]!));
      if (!interaction) return [404, { message: 'Unknown interaction', code: 10062 }];
      const refusal = checkCallback(interaction, body, Date.now());
      if (refusal) return refusal;
      interaction.callbacks.push(body as { type: number; data?: Record<string, unknown> });
      if (body.type === 9) interaction.modal = body.data as Record<string, unknown>;
      if (body.type === 4) interaction.original = (body.data as Record<string, unknown>) ?? {};
      return undefined;
    }
    if ((match = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/.exec(path)) && method === 'PATCH') {
      const interaction = host.interactions.get(decodeURIComponent(match[2]!));
      if (!interaction) return [404, { message: 'Unknown Webhook', code: 10015 }];
      interaction.original = { ...(interaction.original ?? {}), ...body };
      return [200, wireWebhookMessage({ id: host.snowflake(), author: host.botUser, content: String(body.content ?? ''), flags: 64 })];
    }
    if ((match = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path)) && method === 'POST') {
      const interaction = host.interactions.get(decodeURIComponent(match[2]!));
      if (!interaction) return [404, { message: 'Unknown Webhook', code: 10015 }];
      interaction.followups.push(body);
      return [200, wireWebhookMessage({ id: host.snowflake(), author: host.botUser, content: String(body.content ?? ''), flags: Number(body.flags ?? 0) })];
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
