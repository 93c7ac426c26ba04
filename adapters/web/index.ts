import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { ChatService } from '../../src/chat/chat.ts';
import type { ChatAdapter, OutgoingMessage, Place } from '../../src/chat/types.ts';
import type { Engine } from '../../src/engine/engine.ts';
import type { KeyValueRepo } from '../../src/storage/types.ts';
import { PlaygroundHub } from './hub.ts';
import { BOT_NAME } from './identity.ts';
import { playgroundRoutes } from './routes.ts';
import { PlaygroundStore, type PlaygroundUser } from './store.ts';

const BOT: PlaygroundUser = { id: BOT_NAME, name: BOT_NAME, bot: true };

export interface WebAdapterOptions {
  repo: KeyValueRepo<Record<string, unknown>>;
  engine: Engine;
  log: Logger;
  /** The command prefix typed in the message box (`/sb`). */
  command: string;
  channels: string[];
}

export interface WebAdapter {
  readonly adapter: ChatAdapter;
  /** Serves the page and its API on Switchboard's HTTP server. */
  mount(app: Hono): void;
  start(chat: ChatService): Promise<void>;
  stop(): void;
  health(): Record<string, unknown>;
}

/**
 * The web playground: a chat platform of its own (channels, threads, named users) served
 * at `/`, going through the same chat layer as Slack and Discord. Browsers get every
 * change over server-sent events; messages live in storage, so a restart keeps them.
 */
export async function createWebAdapter(options: WebAdapterOptions): Promise<WebAdapter> {
  const store = await PlaygroundStore.open(options.repo, options.channels);
  const hub = new PlaygroundHub();
  let chat: ChatService | undefined;
  const busy = new Set<string>();
  const busyKey = (channel: string, thread: string | null) => `${channel}:${thread ?? ''}`;

  const publishMessage = (message: unknown) => hub.publish({ type: 'message', message });

  const adapter: ChatAdapter = {
    platform: 'web',
    maxMessageChars: 12_000,
    // No rate limit to respect: stream at reading speed.
    editIntervalMs: 50,
    botUserId: () => BOT.id,
    async send(place: Place, message: OutgoingMessage) {
      const stored = await store.add({ channel: place.channel, thread: place.thread ?? null, user: BOT, markdown: message.markdown, prompt: message.prompt });
      publishMessage(stored);
      return { messageId: stored.id };
    },
    async update(_place, messageId, message) {
      const edited = await store.edit(messageId, { markdown: message.markdown, prompt: message.prompt });
      if (edited) publishMessage(edited);
    },
    async ephemeral(place, userId, markdown) {
      hub.tell(userId, place.channel, place.thread ?? null, markdown);
    },
    async status(place, isBusy) {
      const key = busyKey(place.channel, place.thread ?? null);
      if (isBusy) busy.add(key);
      else busy.delete(key);
      hub.publish({ type: 'status', channel: place.channel, thread: place.thread ?? null, busy: isBusy });
    },
  };

  return {
    adapter,
    mount(app) {
      app.route(
        '/',
        playgroundRoutes({
          store,
          hub,
          engine: options.engine,
          command: options.command,
          chat: () => chat,
          isBusy: (channel, thread) => busy.has(busyKey(channel, thread)),
          log: options.log,
        }),
      );
    },
    async start(service) {
      chat = service;
    },
    stop() {
      chat = undefined;
      hub.closeAll();
    },
    health() {
      return { browsers: hub.clients };
    },
  };
}
