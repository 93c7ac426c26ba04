import type { Logger } from 'pino';
import type { ChatAdapter, ChatHost, Collection, OutgoingMessage, Place, Platform } from '../../src/chat/types.ts';
import { PlaygroundFiles, type PlaygroundFileRecord } from './files.ts';
import { PlaygroundHub } from './hub.ts';
import { BOT_NAME } from './identity.ts';
import { playgroundRoutes } from './routes.ts';
import { PlaygroundStore, type PlaygroundRecord, type PlaygroundUser } from './store.ts';

const BOT: PlaygroundUser = { id: BOT_NAME, name: BOT_NAME, bot: true };

export interface WebAdapterOptions {
  /** Where the playground keeps its channels and messages (it is the platform, so it keeps them). */
  records: Collection<PlaygroundRecord>;
  /** Where the playground keeps the files posted in it (uploads and the bot's). */
  files: Collection<PlaygroundFileRecord>;
  log: Logger;
  /** The command prefix typed in the message box (`/sb`). */
  command: string;
  channels: string[];
}

/**
 * The web playground: a chat platform of its own (channels, threads, named users) served
 * at `/`, going through the same chat layer as Slack and Discord. Browsers get every
 * change over server-sent events; messages live in storage, so a restart keeps them.
 */
export async function createWebPlatform(options: WebAdapterOptions): Promise<Platform> {
  const store = await PlaygroundStore.open(options.records, options.channels);
  const hub = new PlaygroundHub();
  const files = new PlaygroundFiles(options.files);
  let chat: ChatHost | undefined;
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
      const stored = await store.add({
        channel: place.channel,
        thread: place.thread ?? null,
        user: BOT,
        markdown: message.markdown,
        prompt: message.prompt,
        ...(message.feedback ? { feedback: message.feedback } : {}),
      });
      publishMessage(stored);
      return { messageId: stored.id };
    },
    fetchFile: (file, maxBytes) => files.fetch(file, maxBytes),
    async sendFile(place, file) {
      // A download link (and, for images, a preview) on a message of the bot's.
      const ref = await files.keep(file);
      const stored = await store.add({ channel: place.channel, thread: place.thread ?? null, user: BOT, markdown: '', files: [ref] });
      publishMessage(stored);
      return { messageId: stored.id };
    },
    async update(_place, messageId, message) {
      const edited = await store.edit(messageId, { markdown: message.markdown, prompt: message.prompt, feedback: message.feedback });
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
    describe: () => 'web playground',
    routes: () => ({
      auth: 'api-key',
      app: playgroundRoutes({ store, hub, files, command: options.command, chat: () => chat, isBusy: (channel, thread) => busy.has(busyKey(channel, thread)), log: options.log }),
    }),
    async start(host) {
      chat = host;
    },
    async stop() {
      chat = undefined;
      // Browsers' live connections end, so the HTTP server can close.
      hub.closeAll();
    },
    health() {
      return { browsers: hub.clients };
    },
  };
}
