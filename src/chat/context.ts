import type { Logger } from 'pino';
import type { ChatSpec } from '../config/schema.ts';
import type { AccessGate } from './access.ts';
import type { Engine } from '../engine/engine.ts';
import type { ConversationService } from './conversations.ts';
import type { Outbox } from './outbox.ts';
import type { ReplyRecord } from './replies.ts';
import type { ChatState } from './state.ts';
import type { ChatAdapter, ChatUser, Place } from './types.ts';

/** What the parts of the chat layer (intake, commands, prompts, collect) share. */
export interface ChatContext {
  readonly engine: Engine;
  readonly state: ChatState;
  readonly config: ChatSpec;
  readonly log: Logger;
  readonly conversations: ConversationService;
  readonly outbox: Outbox;
  /** Who may talk, change conversations and approve pairings (chat.access). */
  readonly access: AccessGate;
  readonly adapters: ReadonlyMap<string, ChatAdapter>;
  /** Whose background work this process does (see ChatOptions.owner). */
  readonly owner: string;
  /** Streams a run's reply into its conversation, and asks its questions if it stops on one. */
  streamReply(record: ReplyRecord): void;
  /** Closes a conversation's pending questions (it switched assistants); how many were closed. */
  dropPendingPrompts(conversation: string, by: ChatUser, assistantName: string): Promise<number>;
  /** What the person of an assistant thread (Slack's AI-app pane) is looking at, when the place is one. */
  assistantContext(place: Place): Promise<Record<string, unknown> | undefined>;
}
