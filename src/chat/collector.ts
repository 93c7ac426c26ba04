import type { ChatContext } from './context.ts';
import type { ConversationRecord } from './conversations.ts';
import { LOCAL_OWNER } from './state.ts';
import type { IncomingMessage } from './types.ts';

/** Starts the run of a collected burst: the conversation, the last message (its trigger), and the joined text. */
export type StartCollected = (conversation: ConversationRecord, last: IncomingMessage, text: string) => Promise<void>;

interface Collecting {
  texts: string[];
  last: IncomingMessage;
  timer: NodeJS.Timeout;
}

/**
 * The chat-only `collect` strategy: messages typed in a burst wait for a quiet moment
 * (`collect_quiet_ms`) and are sent as one run. The burst is stored with the conversation
 * until it is sent, so a restart in the quiet window loses none of it.
 */
export class Collector {
  readonly #ctx: ChatContext;
  readonly #start: StartCollected;
  readonly #collecting = new Map<string, Collecting>();

  constructor(ctx: ChatContext, start: StartCollected) {
    this.#ctx = ctx;
    this.#start = start;
  }

  async add(conversation: ConversationRecord, message: IncomingMessage): Promise<void> {
    const key = conversation.key;
    const current = this.#collecting.get(key);
    if (current) clearTimeout(current.timer);
    const texts = [...(current?.texts ?? []), message.text];
    const repeated = current?.last.messageId === message.messageId;
    if (repeated) texts.pop();
    // The burst's files ride on its last message, so the run that answers it gets every one.
    const files = [...(current?.last.files ?? []), ...(repeated ? [] : (message.files ?? []))];
    if (files.length > 0) message = { ...message, files };
    const timer = setTimeout(() => {
      this.#collecting.delete(key);
      void this.#flush(key, texts, message).catch((error: unknown) => this.#ctx.log.error({ err: error }, 'could not send collected messages'));
    }, this.#ctx.config.collect_quiet_ms);
    this.#collecting.set(key, { texts, last: message, timer });
    await this.#ctx.state.conversations.put(key, { ...conversation, collecting: { texts, last: message, owner: this.#ctx.owner } });
  }

  /** Sends the bursts this process owns that were collected before a restart (or by a process that died). */
  async resume(): Promise<void> {
    const { state, owner, adapters } = this.#ctx;
    for (const { value: record } of await state.conversations.list()) {
      if (!record.collecting || (record.collecting.owner ?? LOCAL_OWNER) !== owner || this.#collecting.has(record.key)) continue;
      if (adapters.has(record.place.platform)) await this.#flush(record.key, record.collecting.texts, record.collecting.last);
    }
  }

  stop(): void {
    for (const collecting of this.#collecting.values()) clearTimeout(collecting.timer);
  }

  async #flush(key: string, texts: string[], last: IncomingMessage) {
    const conversation = await this.#ctx.state.conversations.get(key);
    if (!conversation) return;
    const { collecting: _collecting, ...rest } = conversation;
    await this.#ctx.state.conversations.put(key, rest);
    await this.#start(rest, last, texts.join('\n'));
  }
}
