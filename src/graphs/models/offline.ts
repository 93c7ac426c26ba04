import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { BaseChatModel, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';

export interface OfflineChatModelParams extends BaseChatModelParams {
  /** Pause between streamed tokens, so streaming is visible; 0 streams as fast as possible. */
  tokenDelayMs?: number;
}

/**
 * The built-in model used when no real model is configured: no key, no network. It
 * answers deterministically from the conversation (so a demo shows that the thread
 * remembers), follows the system prompt's style hints, and streams its answer token by
 * token like a real model, stopping at once when the run is aborted.
 */
export class OfflineChatModel extends BaseChatModel {
  readonly tokenDelayMs: number;

  constructor(params: OfflineChatModelParams = {}) {
    super(params);
    this.tokenDelayMs = params.tokenDelayMs ?? 0;
  }

  _llmType(): string {
    return 'switchboard-offline';
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    const text = composeReply(messages);
    return { generations: [{ text, message: new AIMessage(text) }] };
  }

  override async *_streamResponseChunks(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    for (const token of tokenize(composeReply(messages))) {
      options.signal?.throwIfAborted();
      if (this.tokenDelayMs > 0) await sleep(this.tokenDelayMs, options.signal);
      const chunk = new ChatGenerationChunk({ text: token, message: new AIMessageChunk({ content: token }) });
      yield chunk;
      await runManager?.handleLLMNewToken(token, undefined, undefined, undefined, undefined, { chunk });
    }
  }
}

/** Splits text into word-sized tokens that keep their trailing spaces and newlines. */
export function tokenize(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function composeReply(messages: BaseMessage[]): string {
  const system = messages.find((message) => message.getType() === 'system');
  const humans = messages.filter((message) => message.getType() === 'human');
  const last = textOf(humans[humans.length - 1]) || '(nothing)';
  const style = textOf(system).toLowerCase();
  const turn = humans.length;
  if (style.includes('tweet')) {
    const words = last
      .split(/\s+/)
      .filter((word) => word.length > 3)
      .slice(0, 2);
    const tags = words.map((word) => `#${word.replace(/[^\p{L}\p{N}]/gu, '')}`).join(' ');
    return `${capitalize(last)}: short, sharp and worth sharing. ${tags}`.slice(0, 280).trim();
  }
  if (style.includes('blog')) {
    return [
      `# ${capitalize(last)}`,
      '',
      `Every team meets "${last}" sooner or later. This post walks through what it is, why it matters and how to start.`,
      '',
      `## Why it matters`,
      '',
      `Done well, ${last} saves hours each week; done badly, it costs them. The difference is a few habits.`,
      '',
      `## Where to start`,
      '',
      `Pick one small case, measure it, and share what you learn with the team.`,
    ].join('\n');
  }
  // A person who asked for short answers (a memory in the system prompt) gets them.
  if (style.includes('short answers')) return `You said: "${last}".`;
  const earlier = humans.length > 1 ? ` Earlier you said: "${textOf(humans[humans.length - 2])}".` : '';
  return (
    `You said: "${last}". This is message ${turn} of our conversation.${earlier} ` +
    `(I am Switchboard's built-in offline model: configure an OpenAI-compatible or Anthropic model for real answers.)`
  );
}

function textOf(message: BaseMessage | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (typeof part === 'string' ? part : 'text' in part && typeof part.text === 'string' ? part.text : '')).join('');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
