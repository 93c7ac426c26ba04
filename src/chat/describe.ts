import type { ChatContext } from './context.ts';
import type { ConversationInfo, Place } from './types.ts';

/** What runs a conversation: who answers, on which thread, doing what (the `info` command and the playground's pane). */
export async function describeConversation(ctx: Pick<ChatContext, 'engine' | 'conversations'>, place: Place): Promise<ConversationInfo> {
  const { engine, conversations } = ctx;
  const conversation = await conversations.find(place);
  const assistant = await engine.assistants.findByIdOrName(await conversations.assistantFor(conversation, place));
  const strategy = await conversations.strategyFor(conversation, place);
  const thread = conversation ? await engine.threads.find(conversation.thread_id) : null;
  const [run] = thread ? await engine.runs.list(thread.thread_id, { limit: 1 }) : [];
  return {
    assistant: assistant ? { assistant_id: assistant.assistant_id, name: assistant.name, version: assistant.version, graph_id: assistant.graph_id } : null,
    strategy,
    thread_id: thread?.thread_id ?? conversation?.thread_id ?? null,
    thread_status: thread?.status ?? null,
    run: run ? { run_id: run.run_id, status: run.status } : null,
    links: thread ? { state: `/threads/${thread.thread_id}/state`, history: `/threads/${thread.thread_id}/history` } : null,
  };
}

/** The `info` command's answer. */
export function formatConversationInfo(info: ConversationInfo): string {
  const assistant = info.assistant ? `${info.assistant.name} (version ${info.assistant.version}, graph \`${info.assistant.graph_id}\`)` : 'none (see `list`)';
  return [
    `**Assistant**: ${assistant}`,
    `**Thread**: ${info.thread_id ? `\`${info.thread_id}\`` : 'none yet (starts with the first message)'}`,
    `**Status**: ${info.thread_status ?? 'idle'}`,
    `**Strategy**: \`${info.strategy}\``,
  ].join('\n');
}
