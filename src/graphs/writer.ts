import { AIMessage, SystemMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { Annotation, END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { chatModelFor } from './models/chat-model.ts';

/**
 * A writer with two steps: `write_draft` asks the model for a text in the assistant's style,
 * `finish` applies the style's hard rules (a tweet stays within its length). The `blog`
 * and `tweet` assistants run this same graph and differ only in configuration.
 */
const WriterState = Annotation.Root({
  ...MessagesAnnotation.spec,
  draft: Annotation<string>(),
});

interface WriterSettings {
  style: string;
  prompt: string;
  max_chars: number | undefined;
}

function settingsOf(config: RunnableConfig): WriterSettings {
  const configurable = (config.configurable ?? {}) as Record<string, unknown>;
  const style = typeof configurable.style === 'string' ? configurable.style : 'blog';
  return {
    style,
    prompt: typeof configurable.prompt === 'string' ? configurable.prompt : `Write a ${style} about the user's topic.`,
    max_chars: typeof configurable.max_chars === 'number' ? configurable.max_chars : undefined,
  };
}

async function writeDraft(state: typeof WriterState.State, config: RunnableConfig) {
  const settings = settingsOf(config);
  const model = await chatModelFor(config);
  const reply = await model.invoke([new SystemMessage(`${settings.prompt} Style: ${settings.style}.`), ...state.messages], config);
  return { draft: typeof reply.content === 'string' ? reply.content : JSON.stringify(reply.content) };
}

function finish(state: typeof WriterState.State, config: RunnableConfig) {
  const { max_chars: max } = settingsOf(config);
  let text = state.draft.trim();
  if (max !== undefined && text.length > max) {
    // Cut at a word boundary rather than mid-word.
    const cut = text.slice(0, max);
    text = cut.slice(0, Math.max(cut.lastIndexOf(' '), Math.floor(max * 0.8))).trimEnd();
  }
  return { messages: [new AIMessage(text)] };
}

export const graph = new StateGraph(WriterState)
  .addNode('write_draft', writeDraft)
  .addNode('finish', finish)
  .addEdge(START, 'write_draft')
  .addEdge('write_draft', 'finish')
  .addEdge('finish', END)
  .compile();
