import type { ChatStore, Collection, Inbox, OwnerFields } from '../storage/types.ts';
import type { ChannelOverrides, ConversationRecord } from './conversations.ts';
import type { Blob } from './files-out.ts';
import type { OutboxItem } from './outbox.ts';
import type { PromptRecord } from './prompts.ts';
import type { ReplyRecord } from './replies.ts';
import type { PairingRecord } from './access.ts';
import type { ContextMessage } from './channel-context.ts';
import type { AssistantThreadRecord } from './assistant-threads.ts';
import type { IncomingMessage, Place } from './types.ts';

/** What the inbox holds for a message until it has been acted on: the message, and the process acting on it. */
export interface HeldMessage {
  owner: string;
  message: IncomingMessage;
}

/** The chat layer's durable state, each collection with its record type. */
export interface ChatState {
  readonly conversations: Collection<ConversationRecord>;
  /** Channel settings changed by commands (`use x --channel`). */
  readonly channels: Collection<ChannelOverrides>;
  readonly prompts: Collection<PromptRecord>;
  readonly replies: Collection<ReplyRecord>;
  readonly outbox: Collection<OutboxItem>;
  /** The bytes of files queued in the outbox, apart from their (small, rewritten on retry) items. */
  readonly blobs: Collection<Blob>;
  readonly inbox: Inbox<HeldMessage>;
  /** Pairing codes given to people who DM the bot under `access.dm: pairing`, by code. */
  readonly pairings: Collection<PairingRecord>;
  /** People an admin approved for direct messages, by identity. */
  readonly paired: Collection<{ identity: string; approved_by: string; at: string }>;
  /** When a person was last told why a message was refused (they are told once an hour). */
  readonly notices: Collection<{ at: string }>;
  /** Messages said in a conversation without addressing the bot, kept for its next run (by conversation key). */
  readonly context: Collection<{ messages: ContextMessage[] }>;
  /** Messages refused by the access rules, kept with the reason: refused, not lost. */
  readonly refused: Collection<{ identity: string; reason: string; text: string; place: Place; at: string }>;
  /** Assistant threads (Slack's AI-app pane) opened with the bot, by conversation key. */
  readonly assistantThreads: Collection<AssistantThreadRecord>;
  /** Several processes: takes over the work of processes that died (see ChatStore.adopt). */
  adopt?(deadOwners: string[], owner: string): Promise<number>;
}

/** Where each record names the process working on it: replies in flight, deliveries, collected bursts, held messages. */
const OWNERS: OwnerFields = {
  collections: [
    { name: 'outbox', path: ['owner'] },
    { name: 'replies', path: ['owner'] },
    { name: 'conversations', path: ['collecting', 'owner'] },
  ],
  inbox: ['owner'],
};

/** The owner of work recorded before processes had owners: the one process there was. */
export const LOCAL_OWNER = 'local';

export function chatState(store: ChatStore): ChatState {
  const adopt = store.adopt?.bind(store);
  return {
    conversations: store.collection<ConversationRecord>('conversations'),
    channels: store.collection<ChannelOverrides>('channels'),
    prompts: store.collection<PromptRecord>('prompts'),
    replies: store.collection<ReplyRecord>('replies'),
    outbox: store.collection<OutboxItem>('outbox'),
    blobs: store.collection<Blob>('blobs'),
    inbox: store.inbox<HeldMessage>(),
    pairings: store.collection<PairingRecord>('pairings'),
    paired: store.collection('paired'),
    notices: store.collection('access_notices'),
    refused: store.collection('refused'),
    context: store.collection('context'),
    assistantThreads: store.collection<AssistantThreadRecord>('assistant_threads'),
    ...(adopt ? { adopt: (deadOwners: string[], owner: string) => adopt(deadOwners, owner, OWNERS) } : {}),
  };
}
