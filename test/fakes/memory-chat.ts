import { DeliveryError, type ChatAdapter, type OutgoingMessage, type Place } from '../../src/chat/types.ts';

export interface SentMessage {
  id: string;
  place: Place;
  message: OutgoingMessage;
  /** Every version of the message, oldest first (the first send, then each update). */
  history: OutgoingMessage[];
}

/**
 * An in-memory chat platform for the chat layer's tests: it records what the bot sends,
 * edits and whispers, and can be told to fail, as a real platform sometimes does.
 */
export class MemoryChatAdapter implements ChatAdapter {
  readonly platform = 'memory';
  readonly maxMessageChars: number;
  readonly messages: SentMessage[] = [];
  readonly ephemerals: Array<{ place: Place; userId: string; markdown: string }> = [];
  readonly statuses: Array<{ place: Place; busy: boolean }> = [];
  readonly calls: Array<{ kind: string; at: number }> = [];
  /** Errors to throw on the next sends (one per call), e.g. a 429 with Retry-After. */
  readonly failNextSends: DeliveryError[] = [];
  #next = 1;

  constructor(options: { maxMessageChars?: number } = {}) {
    this.maxMessageChars = options.maxMessageChars ?? 4000;
  }

  botUserId(): string {
    return 'BOT';
  }

  async send(place: Place, message: OutgoingMessage) {
    this.calls.push({ kind: 'send', at: Date.now() });
    const failure = this.failNextSends.shift();
    if (failure) throw failure;
    const id = `m${this.#next++}`;
    this.messages.push({ id, place, message, history: [message] });
    return { messageId: id };
  }

  async update(_place: Place, messageId: string, message: OutgoingMessage) {
    this.calls.push({ kind: 'update', at: Date.now() });
    const found = this.messages.find((entry) => entry.id === messageId);
    if (!found) throw new DeliveryError(`no message ${messageId}`, { permanent: true });
    found.message = message;
    found.history.push(message);
  }

  async ephemeral(place: Place, userId: string, markdown: string) {
    this.ephemerals.push({ place, userId, markdown });
  }

  async status(place: Place, busy: boolean) {
    this.statuses.push({ place, busy });
  }

  /** Messages in one conversation (channel + thread), in order. */
  in(place: Place): SentMessage[] {
    return this.messages.filter((entry) => entry.place.channel === place.channel && entry.place.thread === place.thread);
  }

  texts(place: Place): string[] {
    return this.in(place).map((entry) => entry.message.markdown);
  }
}

export { DeliveryError };
