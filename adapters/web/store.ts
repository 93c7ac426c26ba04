import type { Collection, FeedbackTarget, PromptView } from '../../src/chat/types.ts';
import type { PlaygroundFileRef } from './files.ts';

export interface PlaygroundUser {
  id: string;
  name: string;
  bot?: boolean | undefined;
}

/** A message of the playground: it is the platform, so it keeps every message, the bot's too. */
export interface PlaygroundMessage {
  id: string;
  channel: string;
  /** The root message's id for a reply in a thread; null for a message in the channel. */
  thread: string | null;
  user: PlaygroundUser;
  markdown: string;
  prompt?: PromptView | undefined;
  /** Files posted with it (their bytes are kept apart, see files.ts). */
  files?: PlaygroundFileRef[] | undefined;
  /** A final answer: the page shows 👍/👎 under it, recorded on this run. */
  feedback?: FeedbackTarget | undefined;
  created_at: string;
  edited_at?: string | undefined;
}

/** A channel's record (key `channel:<name>`). */
export interface PlaygroundChannel {
  created_at: string;
}

/** What the playground keeps: channels (`channel:<name>`) and messages (`message:<id>`). */
export type PlaygroundRecord = PlaygroundChannel | PlaygroundMessage;

const isMessage = (record: PlaygroundRecord): record is PlaygroundMessage => 'markdown' in record;

export const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** Keeps ids written by two processes in the same millisecond apart. */
const PROCESS_TAG = `-${Math.random().toString(36).slice(2, 6)}`;

/**
 * The playground's channels and messages, in memory for reading and written through to
 * storage on every change, so a restart (or a reload) shows the same history. `refresh`
 * reads storage again: with several processes on one database, what the others wrote.
 */
export class PlaygroundStore {
  readonly #repo: Collection<PlaygroundRecord>;
  readonly #messages = new Map<string, PlaygroundMessage>();
  readonly #channels = new Set<string>();
  /** The greatest id given so far: new ids sort after it, even after a restart or a clock step back. */
  #lastId = '';

  private constructor(repo: Collection<PlaygroundRecord>) {
    this.#repo = repo;
  }

  static async open(repo: Collection<PlaygroundRecord>, initialChannels: string[]): Promise<PlaygroundStore> {
    const store = new PlaygroundStore(repo);
    await store.refresh();
    for (const name of initialChannels) await store.addChannel(name);
    return store;
  }

  async refresh(): Promise<void> {
    for (const { key, value } of await this.#repo.list()) {
      if (key.startsWith('channel:')) this.#channels.add(key.slice('channel:'.length));
      else if (key.startsWith('message:') && isMessage(value)) {
        const id = key.slice('message:'.length);
        this.#messages.set(id, value);
        if (id > this.#lastId) this.#lastId = id;
      }
    }
  }

  channels(): string[] {
    return [...this.#channels].sort();
  }

  hasChannel(name: string): boolean {
    return this.#channels.has(name);
  }

  async addChannel(name: string): Promise<boolean> {
    if (this.#channels.has(name)) return false;
    this.#channels.add(name);
    await this.#repo.put(`channel:${name}`, { created_at: new Date().toISOString() });
    return true;
  }

  /** Every message of a channel, its threads' replies included, oldest first. */
  messages(channel: string): PlaygroundMessage[] {
    return [...this.#messages.values()].filter((message) => message.channel === channel).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  get(id: string): PlaygroundMessage | undefined {
    return this.#messages.get(id);
  }

  async add(message: Omit<PlaygroundMessage, 'id' | 'created_at'>): Promise<PlaygroundMessage> {
    const stored: PlaygroundMessage = { ...message, id: this.#nextId(), created_at: new Date().toISOString() };
    this.#messages.set(stored.id, stored);
    await this.#repo.put(`message:${stored.id}`, stored);
    return stored;
  }

  async edit(id: string, change: Pick<PlaygroundMessage, 'markdown' | 'prompt' | 'feedback'>): Promise<PlaygroundMessage | undefined> {
    const found = this.#messages.get(id);
    if (!found) return undefined;
    const edited: PlaygroundMessage = { ...found, markdown: change.markdown, prompt: change.prompt, feedback: change.feedback, edited_at: new Date().toISOString() };
    this.#messages.set(id, edited);
    await this.#repo.put(`message:${id}`, edited);
    return edited;
  }

  /** Ids that sort in the order messages were written: milliseconds, a counter, and a tag of this process (unique across processes). */
  #nextId(): string {
    const [lastMs = '0', lastSeq = '0'] = this.#lastId.split('.');
    const now = String(Date.now()).padStart(13, '0');
    this.#lastId = now > lastMs ? `${now}.000000${PROCESS_TAG}` : `${lastMs}.${String(Number.parseInt(lastSeq, 10) + 1).padStart(6, '0')}${PROCESS_TAG}`;
    return this.#lastId;
  }
}
