import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { WebSocket } from 'ws';
import { parse as parseYaml } from 'yaml';
import { listenWithWebSocket, type FakeServer } from './listen.ts';
import { FakeSlackFiles } from './slack-files.ts';
import { type FakeLimit, SLACK_DOCUMENTED_LIMITS, SlackLimits } from './slack-limits.ts';
import { FakeSlackViews } from './slack-views.ts';
import { FakeSlackWorkspaces, tokenOfCall } from './slack-workspaces.ts';
import { FakeAssistantThreads } from './slack-assistant.ts';
import { invalidBlocksAnswer } from './slack-blocks.ts';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** Date.now() when the call arrived. */
  at: number;
  /** performance.now() when the call arrived (sub-millisecond, for the benchmark). */
  hr: number;
  /** Set when the enforced limits refused it with a 429. */
  refused?: boolean;
  /** Set when it arrived while a 429's Retry-After for its bucket was still running. */
  duringRetryAfter?: boolean;
  /** The token it carried (Authorization: Bearer): which workspace's bot made it. */
  token?: string | undefined;
}

interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string | undefined;
  text: string;
  blocks?: unknown[] | undefined;
  user: string;
  streaming?: boolean;
}

/** Slack allows an app about 10 Socket Mode connections at once. */
const MAX_SOCKET_CONNECTIONS = 10;

type Failure = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

/**
 * A local stand-in for Slack: the Web API methods Switchboard calls (recording every
 * call, keeping posted messages so chat.update can find them), the response_url of slash
 * commands, and a Socket Mode WebSocket. Failures can be scripted per method, as Slack
 * sometimes answers 429 with Retry-After, or 500.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly messages: StoredMessage[] = [];
  /** What people said (the tests record it with `said`): Slack has it, conversations.replies answers with it. */
  readonly peopleMessages: StoredMessage[] = [];
  readonly responses: Array<{ id: string; body: Record<string, unknown> }> = [];
  readonly botUserId = 'UBOT';
  readonly botId = 'BBOT';
  readonly teamId = 'T1';
  /** The bot scopes the app was installed with, sent as Slack does in every answer's x-oauth-scopes header. */
  scopes: string[] = [...MANIFEST_SCOPES];
  /** Channels whose threads are Slack assistant threads (setStatus allowed there). */
  readonly assistantChannels = new Set<string>();
  /** assistant.threads.* (strict about their arguments), and what they set. */
  readonly assistantThreads = new FakeAssistantThreads(this.assistantChannels);
  /** Users known to users.info. */
  readonly users = new Map<string, string>([
    ['U1', 'ana'],
    ['U2', 'bo'],
    ['U3', 'cy'],
  ]);
  #failures = new Map<string, Failure[]>();
  #server: FakeServer | undefined;
  #socket: WebSocket | undefined;
  /** Every open Socket Mode connection, oldest first: an app may hold several (one per process), up to Slack's 10. */
  readonly #sockets: WebSocket[] = [];
  #acks = new Map<string, (payload: unknown) => void>();
  #waiters = new Set<{ match: (call: SlackCall) => boolean; resolve: (call: SlackCall) => void }>();
  #tsCounter = 1_700_000_000_000;
  readonly #limits = new SlackLimits();
  /** Modals: trigger_ids issued with clicks, views.open, view submissions (slack-views.ts). */
  readonly views = new FakeSlackViews();
  /** Many workspaces: OAuth installs, a token per workspace, strict token and channel checks once `strict`. */
  readonly workspaces = new FakeSlackWorkspaces();
  url = '';
  /** Files people share (url_private, needing the bot token) and files the app uploads (slack-files.ts). */
  readonly files = new FakeSlackFiles(() => this.url);

  /** Enforces Slack's documented rate limits (or the given ones) from now on. */
  enforceLimits(limits: Record<string, FakeLimit> = SLACK_DOCUMENTED_LIMITS): void {
    this.#limits.enforce(limits);
  }

  /** Calls that arrived while a 429's Retry-After for their bucket was still running. */
  callsDuringRetryAfter(): SlackCall[] {
    return this.calls.filter((call) => call.duringRetryAfter);
  }

  /** Listens on a free port, or on `port` (a Slack that comes up where Switchboard already looks for it). */
  async start(port = 0): Promise<void> {
    this.#server = await listenWithWebSocket(
      async (req, res) => void (await this.#handle(req, res)),
      '/socket',
      (socket) => {
        if (this.#sockets.length >= MAX_SOCKET_CONNECTIONS) {
          // Slack allows about 10 connections per app; the next is refused.
          socket.close(1008, 'too_many_connections');
          return;
        }
        this.#socket = socket;
        this.#sockets.push(socket);
        socket.on('close', () => {
          const index = this.#sockets.indexOf(socket);
          if (index >= 0) this.#sockets.splice(index, 1);
        });
        socket.on('message', (raw) => {
          const frame = JSON.parse(String(raw)) as { envelope_id?: string; payload?: unknown };
          if (frame.envelope_id) this.#acks.get(frame.envelope_id)?.(frame.payload);
        });
        socket.send(JSON.stringify({ type: 'hello', num_connections: this.#sockets.length, debug_info: { host: 'fake' }, connection_info: { app_id: 'A1' } }));
      },
      port,
    );
    this.url = this.#server.url;
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** The next calls of `method` fail, in order. */
  failNext(method: string, ...failures: Failure[]): void {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), ...failures]);
  }

  /** Back to every scope the manifest asks for. */
  resetScopes(): void {
    this.scopes = [...MANIFEST_SCOPES];
  }

  /** Forgets the failures still scripted for `method`. */
  resetFailures(method: string): void {
    this.#failures.delete(method);
  }

  /** Resolves with the next call that matches, as it arrives. */
  nextCall(match: (call: SlackCall) => boolean): Promise<SlackCall> {
    return new Promise((resolve) => this.#waiters.add({ match, resolve }));
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Records a message a person wrote (in a thread when `threadTs` is given), as Slack would hold it. */
  said(message: { channel: string; ts: string; threadTs?: string; user: string; text: string }): void {
    this.peopleMessages.push({ channel: message.channel, ts: message.ts, thread_ts: message.threadTs, text: message.text, user: message.user });
  }

  /** Messages the bot posted in a channel thread, in order. */
  thread(channel: string, threadTs: string): StoredMessage[] {
    return this.messages.filter((message) => message.channel === channel && message.thread_ts === threadTs);
  }

  get socketConnected(): boolean {
    return this.#socket?.readyState === 1;
  }

  /** Cuts the Socket Mode connection, as a Slack server restart or a network blip does. */
  dropSocket(): void {
    this.#socket?.terminate();
    this.#socket = undefined;
  }

  /** Open Socket Mode connections (an app with several processes holds one each). */
  get socketCount(): number {
    return this.#sockets.filter((socket) => socket.readyState === 1).length;
  }

  /** Sends a Socket Mode envelope and resolves with the app's acknowledgement. */
  async sendEnvelope(type: 'events_api' | 'slash_commands' | 'interactive', payload: Record<string, unknown>): Promise<unknown> {
    if (!this.#socket) throw new Error('no Socket Mode connection');
    return this.#deliver(this.#socket, type, payload, 0);
  }

  /**
   * Sends an envelope on the `index`th open connection (oldest first), as Slack spreads an
   * app's events over its connections; `retryAttempt` > 0 is Slack delivering it again.
   */
  async sendEnvelopeOn(index: number, type: 'events_api' | 'slash_commands' | 'interactive', payload: Record<string, unknown>, retryAttempt = 0): Promise<unknown> {
    const socket = this.#sockets.filter((each) => each.readyState === 1)[index];
    if (!socket) throw new Error(`no Socket Mode connection #${index} (${this.socketCount} open)`);
    return this.#deliver(socket, type, payload, retryAttempt);
  }

  #deliver(socket: WebSocket, type: string, payload: Record<string, unknown>, retryAttempt: number): Promise<unknown> {
    const envelope_id = crypto.randomUUID();
    const acked = new Promise((resolve) => this.#acks.set(envelope_id, resolve));
    socket.send(
      JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: retryAttempt, retry_reason: retryAttempt > 0 ? 'timeout' : '' }),
    );
    return acked;
  }

  #nextTs(): string {
    this.#tsCounter += 1;
    return `${Math.floor(this.#tsCounter / 1000)}.${String(this.#tsCounter % 1000).padStart(6, '0')}`;
  }

  async #handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
    if (await this.files.handle(req, res)) return;
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk) => (data += String(chunk)));
      req.on('end', () => resolve(data));
    });
    const path = req.url ?? '';
    if (path.startsWith('/oauth/v2/authorize')) return void this.workspaces.authorizePage(req, res);
    if (path.startsWith('/response/')) {
      this.responses.push({ id: path.slice('/response/'.length), body: JSON.parse(raw || '{}') as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const method = path.replace(/^\/api\//, '').split('?')[0]!;
    const args = this.#parseArgs(raw, req.headers['content-type'] ?? '');
    const token = tokenOfCall(req.headers.authorization, args);
    const call: SlackCall = { method, args, at: Date.now(), hr: performance.now(), token };
    const channel = String(args.channel ?? args.channel_id ?? '');
    const verdict = this.#limits.judge(method, channel, call.at);
    if (verdict.duringRetryAfter) call.duringRetryAfter = true;
    this.calls.push(call);
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(call)) {
        this.#waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
    const failure = verdict.retryAfterS !== undefined ? { status: 429 as const, retryAfter: verdict.retryAfterS } : this.#failures.get(method)?.shift();
    if (failure && 'status' in failure && failure.status === 429) {
      call.refused = true;
      this.#limits.refused(method, channel, call.at, failure.retryAfter);
    }
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (failure) {
      if ('status' in failure && failure.status === 429) return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
      if ('status' in failure) return json(500, { ok: false, error: 'internal_error' });
      return json(200, { ok: false, error: failure.error });
    }
    // Socket Mode URLs are given only for an app-level token, as Slack does.
    if (method === 'apps.connections.open' && !/^Bearer xapp-/.test(req.headers.authorization ?? '')) return json(200, { ok: false, error: 'not_allowed_token_type' });
    const refusal = this.workspaces.refusal(method, token, channel);
    if (refusal) return json(200, { ok: false, error: refusal });
    const answer =
      method === 'oauth.v2.access'
        ? this.workspaces.exchange(args, req.headers.authorization)
        : ((method === 'auth.test' ? this.workspaces.authTest(token) : undefined) ?? this.#answer(method, args));
    json(200, answer, answer.ok ? { 'x-oauth-scopes': (this.workspaces.scopesOf(token) ?? this.scopes).join(',') } : {});
  }

  #parseArgs(raw: string, contentType: string): Record<string, unknown> {
    if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>;
    const form = parseQuery(raw) as Record<string, string>;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(form)) {
      out[key] = typeof value === 'string' && /^[[{]/.test(value) ? safeJson(value) : value;
    }
    return out;
  }

  /**
   * conversations.replies as Slack answers it: the parent and its replies, oldest first,
   * up to `latest` (`inclusive` or not), `limit` a page (at most 1,000; default 1,000), a
   * cursor for the next page; `thread_not_found` for a ts that is no thread.
   */
  #replies(channel: string, args: Record<string, unknown>): Record<string, unknown> {
    const root = String(args.ts ?? '');
    const all = [...this.peopleMessages, ...this.messages].filter((message) => message.channel === channel && (message.ts === root || message.thread_ts === root)).sort(byTs);
    if (!all.some((message) => message.ts === root)) return { ok: false, error: 'thread_not_found' };
    const latest = args.latest === undefined ? Number.POSITIVE_INFINITY : Number(args.latest);
    const inclusive = args.inclusive === true || args.inclusive === 'true' || args.inclusive === '1';
    const upTo = all.filter((message) => (inclusive ? Number(message.ts) <= latest : Number(message.ts) < latest));
    const limit = Math.min(Number(args.limit ?? 1000) || 1000, 1000);
    const start = args.cursor ? Number(String(args.cursor).replace('page:', '')) : 0;
    const page = upTo.slice(start, start + limit);
    const more = start + limit < upTo.length;
    return {
      ok: true,
      messages: page.map((message) => ({
        type: 'message',
        ts: message.ts,
        thread_ts: message.thread_ts ?? root,
        text: message.text,
        ...(message.user === this.botUserId ? { user: this.botUserId, bot_id: this.botId } : { user: message.user }),
      })),
      has_more: more,
      response_metadata: { next_cursor: more ? `page:${start + limit}` : '' },
    };
  }

  #answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channel = String(args.channel ?? args.channel_id ?? '');
    // assistant.threads.* are answered apart; blocks that break Block Kit's rules are refused before anything is stored.
    const settled = this.assistantThreads.answer(method, args) ?? (BLOCK_METHODS.has(method) ? invalidBlocksAnswer(args.blocks) : undefined);
    if (settled) return settled;
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: this.botUserId, bot_id: this.botId, team_id: this.teamId, user: 'switchboard', team: 'Fake' };
      case 'apps.connections.open':
        return { ok: true, url: `${this.url.replace('http', 'ws')}/socket` };
      case 'users.info': {
        const name = this.users.get(String(args.user));
        return name ? { ok: true, user: { id: args.user, name, real_name: name, profile: { display_name: name } } } : { ok: false, error: 'user_not_found' };
      }
      case 'chat.postMessage': {
        const ts = this.#nextTs();
        this.messages.push({
          channel,
          ts,
          thread_ts: args.thread_ts as string | undefined,
          text: String(args.text ?? ''),
          blocks: args.blocks as unknown[] | undefined,
          user: this.botUserId,
        });
        return { ok: true, channel, ts, message: { text: args.text, ts } };
      }
      case 'chat.update': {
        const found = this.messages.find((message) => message.channel === channel && message.ts === args.ts);
        if (!found) return { ok: false, error: 'message_not_found' };
        found.text = String(args.text ?? '');
        found.blocks = args.blocks as unknown[] | undefined;
        return { ok: true, channel, ts: args.ts };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.#nextTs() };
      case 'chat.startStream': {
        const ts = this.#nextTs();
        this.messages.push({ channel, ts, thread_ts: args.thread_ts as string | undefined, text: String(args.markdown_text ?? ''), user: this.botUserId, streaming: true });
        return { ok: true, channel, ts };
      }
      case 'chat.appendStream': {
        const found = this.messages.find((message) => message.channel === channel && message.ts === args.ts);
        if (!found?.streaming) return { ok: false, error: 'message_not_in_streaming_state' };
        found.text += String(args.markdown_text ?? '');
        return { ok: true, channel, ts: args.ts };
      }
      case 'chat.stopStream': {
        const found = this.messages.find((message) => message.channel === channel && message.ts === args.ts);
        if (!found?.streaming) return { ok: false, error: 'message_not_in_streaming_state' };
        found.streaming = false;
        if (args.markdown_text) found.text += String(args.markdown_text);
        if (args.blocks) found.blocks = args.blocks as unknown[];
        return { ok: true, channel, ts: args.ts };
      }
      case 'reactions.add':
      case 'reactions.remove':
        return { ok: true };
      case 'conversations.replies':
        return this.#replies(channel, args);
      case 'views.open':
        return this.views.open(args, Date.now(), performance.now());
      default:
        return this.files.answer(method, args) ?? { ok: false, error: 'unknown_method' };
    }
  }
}

/** The scopes config/slack-app-manifest.yaml asks for: what a correctly installed app has. */
const MANIFEST_SCOPES = (parseYaml(readFileSync(new URL('../../config/slack-app-manifest.yaml', import.meta.url), 'utf8')) as { oauth_config: { scopes: { bot: string[] } } })
  .oauth_config.scopes.bot;

const byTs = (a: StoredMessage, b: StoredMessage) => Number(a.ts) - Number(b.ts);

/** The methods whose `blocks` Slack validates. */
const BLOCK_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.stopStream', 'chat.postEphemeral']);

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

// ------------------------------------------------------------------ signed requests

export const SIGNING_SECRET = 'fake-signing-secret-0123456789';

/** Posts a request to the app's /slack/events as Slack does: signed with the signing secret. */
export async function postSigned(url: string, body: string, options: { contentType?: string; secret?: string; timestamp?: number; retryNum?: number } = {}): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', options.secret ?? SIGNING_SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest('hex')}`;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      'x-slack-signature': signature,
      'x-slack-request-timestamp': String(timestamp),
      ...(options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
    },
    body,
  });
}

let eventCounter = 0;

/** An Events API callback for a user message (an app_mention when `mention`). */
export function messageEvent(o: {
  channel?: string;
  user?: string;
  text: string;
  ts: string;
  thread_ts?: string;
  mention?: boolean;
  channelType?: string;
  botId?: string;
  eventId?: string;
  /** What Slack puts in `files` (FakeSlackFiles.add); the event is then a `file_share`. */
  files?: Array<Record<string, unknown>>;
  /** The workspace it was said in (default T1). */
  team?: string;
  /** Said in a workspace of this Enterprise Grid org, where the app is installed org-wide. */
  orgWide?: string;
}) {
  const event: Record<string, unknown> = {
    type: o.mention ? 'app_mention' : 'message',
    user: o.user ?? 'U1',
    text: o.text,
    ts: o.ts,
    channel: o.channel ?? 'C1',
    team: o.team ?? 'T1',
    user_team: o.team ?? 'T1',
    event_ts: o.ts,
    ...(o.thread_ts ? { thread_ts: o.thread_ts } : {}),
    ...(o.mention ? {} : { channel_type: o.channelType ?? 'channel' }),
    ...(o.botId ? { bot_id: o.botId, subtype: 'bot_message' } : {}),
    ...(o.files ? { files: o.files, ...(o.mention ? {} : { subtype: 'file_share' }), upload: false } : {}),
  };
  const org = o.orgWide ? { enterprise_id: o.orgWide, authorizations: [{ enterprise_id: o.orgWide, team_id: null, is_bot: true, is_enterprise_install: true }] } : {};
  return { token: 'x', team_id: o.team ?? 'T1', api_app_id: 'A1', type: 'event_callback', event_id: o.eventId ?? `Ev${++eventCounter}`, event_time: 1, event, ...org };
}

export function slashCommand(o: { text: string; channel?: string; user?: string; responseId: string; fakeUrl: string; command?: string }) {
  return new URLSearchParams({
    token: 'x',
    team_id: 'T1',
    team_domain: 'fake',
    channel_id: o.channel ?? 'C1',
    channel_name: 'general',
    user_id: o.user ?? 'U1',
    user_name: 'ana',
    command: o.command ?? '/sb',
    text: o.text,
    api_app_id: 'A1',
    response_url: `${o.fakeUrl}/response/${o.responseId}`,
    trigger_id: 'trigger',
  }).toString();
}

export function blockAction(o: { actionId: string; user?: string; userName?: string; channel?: string; messageTs: string; threadTs?: string; triggerId?: string; team?: string }) {
  const payload = {
    type: 'block_actions',
    user: { id: o.user ?? 'U1', username: o.userName ?? 'ana', name: o.userName ?? 'ana', team_id: o.team ?? 'T1' },
    api_app_id: 'A1',
    token: 'x',
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channel ?? 'C1', is_ephemeral: false },
    // A click's trigger_id opens a modal: one from `slack.views.issueTrigger` is valid for 3 s, once.
    trigger_id: o.triggerId ?? 'trigger',
    team: { id: o.team ?? 'T1', domain: 'fake' },
    channel: { id: o.channel ?? 'C1', name: 'general' },
    message: { type: 'message', ts: o.messageTs, ...(o.threadTs ? { thread_ts: o.threadTs } : {}), text: 'prompt' },
    response_url: 'https://hooks.invalid/response',
    actions: [{ type: 'button', action_id: o.actionId, block_id: 'b', value: '0', action_ts: '1' }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
