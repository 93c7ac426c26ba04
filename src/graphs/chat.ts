import { SystemMessage } from '@langchain/core/messages';
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { chatModelFor } from './models/chat-model.ts';

/** "remember that I prefer short answers": a note the person asks to be kept. */
const REMEMBER = /^\s*remember\s+(?:that\s+)?(.+?)\s*[.!]?\s*$/i;

/**
 * A plain chat agent: the conversation is the thread's `messages`, and each run adds the
 * model's answer. It knows who is talking (`langgraph_auth_user_id`, from chat or from
 * custom auth): what a person asks it to remember is kept in the store under their
 * identity and given to the model in their later conversations, for them only. With no
 * model configured it answers with the offline model, streamed token by token.
 */
async function respond(state: typeof MessagesAnnotation.State, config: LangGraphRunnableConfig) {
  const configurable = (config.configurable ?? {}) as Record<string, unknown>;
  let prompt = typeof configurable.system_prompt === 'string' ? configurable.system_prompt : 'You are a helpful assistant in a team chat.';
  const identity = typeof configurable.langgraph_auth_user_id === 'string' ? configurable.langgraph_auth_user_id : undefined;
  if (identity && config.store) {
    // Store labels cannot hold ':', so `slack:T1:U1` is kept under memories / slack / T1 / U1.
    const namespace = ['memories', ...identity.split(':')];
    const last = state.messages.filter((message) => message.getType() === 'human').at(-1);
    const asked = REMEMBER.exec(typeof last?.content === 'string' ? last.content : '');
    if (asked) await config.store.put(namespace, crypto.randomUUID(), { text: asked[1] });
    const memories = await config.store.search(namespace, { limit: 20 });
    if (memories.length > 0) prompt += `\nWhat this person asked you to remember: ${memories.map((item) => String(item.value.text)).join('; ')}.`;
  }
  const model = await chatModelFor(config);
  const reply = await model.invoke([new SystemMessage(prompt), ...state.messages], config);
  return { messages: [reply] };
}

export const graph = new StateGraph(MessagesAnnotation).addNode('respond', respond).addEdge(START, 'respond').addEdge('respond', END).compile();
