import type { ChatSpec, ChatStrategy } from '../config/schema.ts';
import type { Engine } from '../engine/engine.ts';
import { type ChannelEntry, entriesFor } from './channel-entries.ts';
import type { ChatState } from './state.ts';
import type { IncomingMessage, Place } from './types.ts';

export interface ConversationRecord {
  key: string;
  place: Place;
  thread_id: string;
  /** The assistant chosen for this conversation with `use` (an assistant id). */
  assistant?: string | undefined;
  strategy?: ChatStrategy | undefined;
  /** Who wrote the first message (a prompt may be limited to them). */
  started_by?: string | undefined;
  created_at: string;
  /** Messages held by the `collect` strategy until a quiet moment (stored, so a restart loses none). */
  collecting?: { texts: string[]; last: IncomingMessage; owner?: string | undefined } | undefined;
}

/** Channel settings set at run time by commands (`use x --channel`), over the config's. */
export interface ChannelOverrides {
  assistant?: string;
  strategy?: ChatStrategy;
}

export type ChannelSettings = Omit<ChatSpec, 'channels' | 'collect_quiet_ms' | 'edit_interval_ms'>;

export const conversationKey = (place: Place) => `${place.platform}:${place.workspace}:${place.channel}:${place.thread ?? ''}`;
export const channelKey = (place: Place) => `${place.platform}:${place.workspace}:${place.channel}`;

/**
 * Maps a chat conversation (platform, workspace, channel, thread) to one engine thread,
 * durably, and decides which assistant and strategy apply to it: the conversation's own
 * choice, then the channel's, then the platform's (a config entry with channel "*"), then
 * the config's default.
 */
export class ConversationService {
  readonly #state: Pick<ChatState, 'conversations' | 'channels'>;
  readonly #engine: Engine;
  readonly #config: ChatSpec;
  readonly #now: () => Date;

  constructor(options: { state: Pick<ChatState, 'conversations' | 'channels'>; engine: Engine; config: ChatSpec; now?: () => Date }) {
    this.#state = options.state;
    this.#engine = options.engine;
    this.#config = options.config;
    this.#now = options.now ?? (() => new Date());
  }

  async find(place: Place): Promise<ConversationRecord | null> {
    return this.#state.conversations.get(conversationKey(place));
  }

  /** The conversation's record, created with a new engine thread on its first message. */
  async open(place: Place, startedBy?: string): Promise<ConversationRecord> {
    const existing = await this.find(place);
    if (existing) return existing;
    return this.#create(place, startedBy);
  }

  /** `new`: the conversation continues on a fresh engine thread (its choices are kept). */
  async reset(place: Place): Promise<ConversationRecord> {
    const existing = await this.find(place);
    const fresh = await this.#create(place, existing?.started_by);
    if (existing) {
      const kept: ConversationRecord = { ...fresh, assistant: existing.assistant, strategy: existing.strategy };
      await this.#state.conversations.put(kept.key, kept);
      return kept;
    }
    return fresh;
  }

  async #create(place: Place, startedBy?: string): Promise<ConversationRecord> {
    const key = conversationKey(place);
    const thread = await this.#engine.threads.create({
      metadata: { source: 'chat', platform: place.platform, workspace: place.workspace, channel: place.channel, conversation: key },
    });
    const record: ConversationRecord = {
      key,
      place,
      thread_id: thread.thread_id,
      ...(startedBy ? { started_by: startedBy } : {}),
      created_at: this.#now().toISOString(),
    };
    await this.#state.conversations.put(key, record);
    return record;
  }

  async update(record: ConversationRecord, patch: Partial<Pick<ConversationRecord, 'assistant' | 'strategy'>>): Promise<ConversationRecord> {
    const next = { ...record, ...patch };
    await this.#state.conversations.put(record.key, next);
    return next;
  }

  async setChannel(place: Place, patch: ChannelOverrides): Promise<void> {
    const key = channelKey(place);
    const current = (await this.#state.channels.get(key)) ?? {};
    await this.#state.channels.put(key, { ...current, ...patch });
  }

  /** The settings in force in a channel: config defaults < platform entry < workspace entry < channel entry < commands. */
  async settings(place: Place): Promise<ChannelSettings> {
    const { channels, collect_quiet_ms: _quiet, edit_interval_ms: _edit, ...defaults } = this.#config;
    const overrides = (await this.#state.channels.get(channelKey(place))) ?? {};
    const strip = (entry: ChannelEntry) => {
      const { platform: _platform, workspace: _workspace, channel: _channel, ...rest } = entry;
      return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
    };
    return Object.assign({ ...defaults }, ...entriesFor(channels, place).map(strip), overrides) as ChannelSettings;
  }

  /** The assistant id a conversation's next run uses. */
  async assistantFor(record: ConversationRecord | null, place: Place): Promise<string> {
    if (record?.assistant) return record.assistant;
    const settings = await this.settings(place);
    const wanted = settings.assistant;
    if (wanted) {
      const found = await this.#engine.assistants.findByIdOrName(wanted);
      if (found) return found.assistant_id;
    }
    // No default configured: the first config assistant, else the first graph's default assistant.
    const { items } = await this.#engine.assistants.search({ limit: 1000, offset: 0, sort_by: 'created_at', sort_order: 'asc' });
    const configured = items.find((assistant) => assistant.metadata.created_by === 'config');
    return (configured ?? items[0])?.assistant_id ?? this.#engine.assistants.resolveId(this.#engine.graphs.ids()[0] ?? '');
  }

  async strategyFor(record: ConversationRecord | null, place: Place): Promise<ChatStrategy> {
    return record?.strategy ?? (await this.settings(place)).strategy ?? 'enqueue';
  }
}
