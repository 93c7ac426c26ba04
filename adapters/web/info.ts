import type { ChatService } from '../../src/chat/chat.ts';
import type { Place } from '../../src/chat/types.ts';
import type { Engine } from '../../src/engine/engine.ts';

export interface ConversationInfo {
  assistant: { assistant_id: string; name: string; version: number; graph_id: string } | null;
  strategy: string;
  thread_id: string | null;
  thread_status: string | null;
  run: { run_id: string; status: string } | null;
  /** The thread's state and history as JSON, from the LangGraph API on this server. */
  links: { state: string; history: string } | null;
}

/** What the playground shows about the open conversation: who answers, on which thread, doing what. */
export async function conversationInfo(chat: ChatService, engine: Engine, place: Place): Promise<ConversationInfo> {
  const conversation = await chat.conversations.find(place);
  const assistantId = await chat.conversations.assistantFor(conversation, place);
  const assistant = await engine.assistants.findByIdOrName(assistantId);
  const strategy = await chat.conversations.strategyFor(conversation, place);
  const thread = conversation ? await engine.threads.find(conversation.thread_id) : null;
  const [run] = thread ? await engine.runs.list(thread.thread_id, { limit: 1 }) : [];
  return {
    assistant: assistant ? { assistant_id: assistant.assistant_id, name: assistant.name, version: assistant.version, graph_id: assistant.graph_id } : null,
    strategy,
    thread_id: thread?.thread_id ?? null,
    thread_status: thread?.status ?? null,
    run: run ? { run_id: run.run_id, status: run.status } : null,
    links: thread ? { state: `/threads/${thread.thread_id}/state`, history: `/threads/${thread.thread_id}/history` } : null,
  };
}
