import { v5 as uuidv5 } from 'uuid';
import type { ChatStrategy } from '../config/schema.ts';
import { isSwitchboardError } from '../errors.ts';
import type { Run } from '../storage/types.ts';
import type { ChatContext } from './context.ts';
import type { ConversationRecord } from './conversations.ts';
import { takeContext } from './channel-context.ts';
import { humanContent } from './files-in.ts';
import { chatIdentity } from './identity.ts';
import { newReplyRecord } from './replies.ts';
import type { HistoryMessage, IncomingMessage } from './types.ts';

/** The key that records a message as delivered (and, until acted on, holds it in the inbox). */
export const messageKey = (message: IncomingMessage) => `msg:${message.place.platform}:${message.place.workspace}:${message.place.channel}:${message.messageId}`;

/**
 * Starts the run that answers a message (or a collected burst, `text` then joining them)
 * on the conversation's thread, under the strategy, and streams its reply. A message that
 * already started a run (before a crash) only gets its reply streamed.
 */
export async function startRunFor(
  ctx: ChatContext,
  conversation: ConversationRecord,
  trigger: IncomingMessage,
  text: string,
  strategy: Exclude<ChatStrategy, 'collect'>,
): Promise<void> {
  const { engine, state, log, outbox } = ctx;
  const place = conversation.place;
  const assistantId = await ctx.conversations.assistantFor(conversation, place);
  const recentRuns = await engine.runs.list(conversation.thread_id, { limit: 20 });
  const already = recentRuns.find((candidate) => candidate.metadata.message === trigger.messageId);
  if (already) {
    // The message started this run before a crash; make sure its reply is being delivered.
    if (!(await state.replies.get(already.run_id))) await track(ctx, already, conversation, trigger);
    return;
  }
  // Attached files are downloaded now (not at intake): the held message names them, the run's input carries their bytes.
  const said = { role: 'user', content: await humanContent(ctx, trigger, text), name: sanitizeName(trigger.user.name ?? trigger.user.id), id: chatMessageId(trigger) };
  // What was said before: the thread the bot was first mentioned in, then messages kept while it was not addressed.
  const kept = (await takeContext(ctx, conversation)).map((entry) => ({ ...entry, fromThisBot: false }));
  const context = [...(recentRuns.length === 0 ? await threadContext(ctx, place, trigger) : []), ...asLangGraphMessages(kept)];
  const messages = strategy === 'interrupt' ? [...(await stoppedBeforeWriting(ctx, conversation.thread_id)), ...context, said] : [...context, said];
  // In an assistant thread: the channel its person is looking at (Slack's assistant_thread context).
  const viewing = await ctx.assistantContext(place);
  let run: Run;
  try {
    run = await engine.runs.create(conversation.thread_id, {
      assistant_id: assistantId,
      input: { messages },
      stream_mode: ['messages-tuple'],
      multitask_strategy: strategy,
      // Who is talking and where, under the keys the Platform's custom auth uses.
      config: {
        configurable: {
          ...chatIdentity(place, trigger.user, trigger, ctx.access.isAdmin(place, trigger.user, trigger.userTeam)),
          ...(viewing ? { assistant_context: viewing } : {}),
        },
      },
      metadata: { platform: place.platform, channel: place.channel, user: trigger.user.id, message: trigger.messageId },
    });
  } catch (error) {
    if (isSwitchboardError(error, 'conflict')) {
      await outbox.enqueue(place, {
        kind: 'ephemeral',
        userId: trigger.user.id,
        markdown: "I'm still working on the previous message here, so I didn't take this one (this conversation's strategy is `reject`; try `strategy enqueue`).",
      });
      return;
    }
    log.error({ err: error, place }, 'could not start a run for a message');
    await outbox.enqueue(place, { kind: 'send', message: { markdown: 'Sorry, I could not start on that message. (The details are in the server log.)' } });
    return;
  }
  await track(ctx, run, conversation, trigger);
}

async function track(ctx: ChatContext, run: { run_id: string; thread_id: string }, conversation: ConversationRecord, trigger: IncomingMessage): Promise<void> {
  const record = newReplyRecord(run, conversation, { messageId: trigger.messageId, userId: trigger.user.id, userTeam: trigger.userTeam }, ctx.owner);
  await ctx.state.replies.put(run.run_id, record);
  ctx.streamReply(record);
}

/**
 * The messages of the runs an `interrupt` is about to stop. A run stopped before it starts
 * never writes its message, which would then vanish from the conversation; the new run
 * carries them along. Their ids make LangGraph's add_messages keep one copy of any that
 * the stopped run did write.
 */
async function stoppedBeforeWriting(ctx: ChatContext, threadId: string): Promise<unknown[]> {
  const inFlight = (await ctx.engine.runs.list(threadId, { limit: 100 })).filter((run) => run.status === 'pending' || run.status === 'running').reverse();
  return inFlight.flatMap((run) => {
    const input = run.kwargs.input as { messages?: Array<{ id?: unknown }> } | null | undefined;
    return (input?.messages ?? []).filter((message) => typeof message?.id === 'string');
  });
}

/**
 * The earlier messages of the platform thread a first mention was made in, as LangGraph
 * messages: people's as human messages named for their author, the bot's own as AI
 * messages. None when the mention starts the thread, or the platform cannot tell.
 */
async function threadContext(ctx: ChatContext, place: IncomingMessage['place'], trigger: IncomingMessage): Promise<unknown[]> {
  const limit = ctx.config.context_messages;
  const adapter = ctx.adapters.get(place.platform);
  // A reply chain the platform delivered with the message (a Discord reply) is the context it names.
  if (limit > 0 && trigger.context && trigger.context.length > 0) return asLangGraphMessages(trigger.context.slice(-limit));
  if (!adapter?.threadHistory || limit === 0 || !place.thread || place.thread === trigger.messageId) return [];
  try {
    return asLangGraphMessages(await adapter.threadHistory(place, trigger.messageId, limit));
  } catch (error) {
    // Context is a courtesy: the message is answered without it.
    ctx.log.warn({ err: error, place }, 'could not read the thread before a mention');
    return [];
  }
}

/** Chat messages as LangGraph messages: people's as human messages named for their author, the bot's own as AI messages. */
function asLangGraphMessages(history: HistoryMessage[]): unknown[] {
  return history.map((message) =>
    message.fromThisBot ? { role: 'assistant', content: message.text } : { role: 'user', content: message.text, name: sanitizeName(message.name ?? message.userId) },
  );
}

/** A stable id for the LangGraph message of a chat message (the same message, the same id, on every run that carries it). */
const chatMessageId = (message: IncomingMessage) => uuidv5(messageKey(message), CHAT_MESSAGE_NAMESPACE);
const CHAT_MESSAGE_NAMESPACE = 'a4f3c1d2-5b6e-4f70-8a91-b2c3d4e5f607';

/** OpenAI message names allow letters, digits, _ and - only. */
function sanitizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'user';
}
