import { SystemMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { chatModelFor } from './models/chat-model.ts';

/**
 * A plain chat agent: the conversation is the thread's `messages`, and each run adds the
 * model's answer. With no model configured it answers with the offline model, streamed
 * token by token.
 */
async function respond(state: typeof MessagesAnnotation.State, config: RunnableConfig) {
  const configurable = (config.configurable ?? {}) as Record<string, unknown>;
  const prompt = typeof configurable.system_prompt === 'string' ? configurable.system_prompt : 'You are a helpful assistant in a team chat.';
  const model = await chatModelFor(config);
  const reply = await model.invoke([new SystemMessage(prompt), ...state.messages], config);
  return { messages: [reply] };
}

export const graph = new StateGraph(MessagesAnnotation).addNode('respond', respond).addEdge(START, 'respond').addEdge('respond', END).compile();
