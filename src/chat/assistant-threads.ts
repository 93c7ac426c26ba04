import type { ChatContext } from './context.ts';
import { conversationKey } from './conversations.ts';
import { greetingOf, suggestedPrompts, titleOf } from './assistant-greeting.ts';
import { namesIdentity } from './access.ts';
import { identityOf } from './identity.ts';
import type { AssistantThreadEvent, IncomingMessage, Place } from './types.ts';

/** What is kept about an assistant thread (by conversation key): who opened it, what they look at, whether it has its title. */
export interface AssistantThreadRecord {
  place: Place;
  user: string;
  viewing?: AssistantThreadEvent['viewing'];
  titled?: boolean;
  started_at: string;
}

/** Longer than any platform retries an event: one greeting per thread. */
const GREETED_TTL_MS = 24 * 3600 * 1000;

/**
 * Assistant threads (Slack's AI-app pane): when one opens, a greeting and suggested prompts;
 * its first message names it; the channel its person is looking at is kept and given to
 * the conversation's runs (`configurable.assistant_context`).
 */
export class AssistantThreads {
  readonly #ctx: ChatContext;

  constructor(ctx: ChatContext) {
    this.#ctx = ctx;
  }

  async handle(event: AssistantThreadEvent): Promise<void> {
    const { state } = this.#ctx;
    const key = conversationKey(event.place);
    const known = await state.assistantThreads.get(key);
    await state.assistantThreads.put(key, {
      ...known,
      place: event.place,
      user: identityOf(event.place, event.user, event.userTeam),
      ...(event.viewing ? { viewing: event.viewing } : {}),
      started_at: known?.started_at ?? new Date().toISOString(),
    });
    // Retried or repeated, a thread is greeted once.
    if (event.kind === 'started' && (await state.inbox.accept(`assistant-thread:${key}`, GREETED_TTL_MS))) await this.#greet(event);
  }

  async #greet(event: AssistantThreadEvent): Promise<void> {
    const { engine, conversations, outbox, log, access } = this.#ctx;
    const { place, user } = event;
    // Nobody is greeted where they may not talk: their first message is told why instead.
    const rules = access.rulesFor(place);
    const identity = identityOf(place, user, event.userTeam);
    const listed = [...rules.users, ...rules.admins].some((entry) => namesIdentity(entry, identity));
    if (rules.dm === 'off' || (rules.dm === 'allowlist' && !listed)) return;
    const current = await engine.assistants.get(await conversations.assistantFor(await conversations.find(place), place));
    const { items } = await engine.assistants.search({ limit: 1000, offset: 0 });
    const { prompts, problem } = suggestedPrompts(current, items);
    if (problem) log.warn({ assistant: current.assistant_id }, problem);
    await outbox.enqueue(place, { kind: 'send', message: { markdown: greetingOf(current, user.name, prompts.length > 0) } });
    const adapter = this.#ctx.adapters.get(place.platform);
    if (prompts.length > 0 && adapter?.suggestPrompts) {
      // Prompts are a courtesy: the thread works without them.
      await adapter.suggestPrompts(place, prompts).catch((error: unknown) => log.warn({ err: error, place }, 'could not set the suggested prompts'));
    }
  }

  /** The first message of an assistant thread that starts a run gives the thread its title. */
  async titleFrom(message: IncomingMessage): Promise<void> {
    const adapter = this.#ctx.adapters.get(message.place.platform);
    if (!adapter?.setTitle) return;
    const key = conversationKey(message.place);
    const record = await this.#ctx.state.assistantThreads.get(key);
    if (!record || record.titled) return;
    await this.#ctx.state.assistantThreads.put(key, { ...record, titled: true });
    // In the background: the run does not wait for its thread's name.
    void adapter
      .setTitle(message.place, titleOf(message.text))
      .catch((error: unknown) => this.#ctx.log.warn({ err: error, place: message.place }, 'could not title an assistant thread'));
  }

  /** What the person of an assistant thread is looking at, for the runs of its conversation. */
  async viewing(place: Place): Promise<AssistantThreadRecord['viewing']> {
    return (await this.#ctx.state.assistantThreads.get(conversationKey(place)))?.viewing;
  }
}
