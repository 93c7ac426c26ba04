import type { ChatContext } from './context.ts';
import { type ConversationRecord, conversationKey } from './conversations.ts';
import type { IncomingMessage } from './types.ts';

/** A message said in a conversation without addressing the bot, kept for its next run. */
export interface ContextMessage {
  userId: string;
  name: string;
  text: string;
  messageId: string;
}

/**
 * Keeps a message said in a conversation the bot is part of but not addressed to it (a
 * Discord text channel is one conversation, and only mentions start runs there): the next
 * run takes the newest `chat.context_messages` of them before its own message.
 */
export async function keepAsContext(ctx: ChatContext, conversation: ConversationRecord, message: IncomingMessage): Promise<void> {
  const limit = ctx.config.context_messages;
  if (limit === 0) return;
  const key = conversationKey(conversation.place);
  const kept = (await ctx.state.context.get(key))?.messages ?? [];
  if (kept.some((entry) => entry.messageId === message.messageId)) return;
  const entry: ContextMessage = { userId: message.user.id, name: message.user.name ?? message.user.id, text: message.text, messageId: message.messageId };
  await ctx.state.context.put(key, { messages: [...kept, entry].slice(-limit) });
}

/** The kept messages of a conversation, emptied: they go into the run about to start. */
export async function takeContext(ctx: ChatContext, conversation: ConversationRecord): Promise<ContextMessage[]> {
  const key = conversationKey(conversation.place);
  const kept = await ctx.state.context.get(key);
  if (!kept) return [];
  await ctx.state.context.delete(key);
  return kept.messages;
}
