import type { Logger } from 'pino';
import type { Engine } from '../engine/engine.ts';
import type { RunOutcome } from '../engine/executor.ts';
import { answerFiles, queueAnswerFiles } from './files-out.ts';
import type { Outbox } from './outbox.ts';
import { BudgetShortError } from './rate-limiter.ts';
import { splitMessage } from './split.ts';
import type { ChatState } from './state.ts';
import type { ChatAdapter, NativeStream, Place } from './types.ts';

/** What is stored about a reply while its run is in flight, so a restart can finish it. */
export interface ReplyRecord {
  run_id: string;
  thread_id: string;
  place: Place;
  conversation: string;
  status: 'streaming' | 'done';
  /** Platform message ids of the reply's parts, in order (a long reply spans several). */
  parts: Array<string | null>;
  trigger?: { messageId?: string | undefined; userId?: string | undefined; userTeam?: string | undefined } | undefined;
  /** The process streaming it (see ChatOptions.owner). */
  owner?: string | undefined;
  /** Set once the answer's files are stored in the outbox: a restart finishing the reply does not post them twice. */
  files_queued?: boolean | undefined;
  created_at: string;
}

/** The record of a reply about to stream: a run, the conversation it answers in, and who asked. */
export function newReplyRecord(
  run: { run_id: string; thread_id: string },
  conversation: { place: Place; key: string },
  trigger: NonNullable<ReplyRecord['trigger']>,
  owner: string,
): ReplyRecord {
  return {
    run_id: run.run_id,
    thread_id: run.thread_id,
    place: conversation.place,
    conversation: conversation.key,
    status: 'streaming',
    parts: [],
    trigger,
    owner,
    created_at: new Date().toISOString(),
  };
}

export interface ReplyDeps {
  engine: Engine;
  adapter: ChatAdapter;
  outbox: Outbox;
  state: ChatState;
  log: Logger;
  editIntervalMs: number;
  /** Native streaming is used when the adapter offers it here and this is true. */
  nativeStreaming: boolean;
  /** Turns the run's pending interrupts into prompts (after the reply text). */
  onInterrupted: (record: ReplyRecord, outcome: RunOutcome) => Promise<void>;
}

type ChunkData = [{ type?: string; id?: string; content?: unknown; tool_call_chunks?: unknown[] }, Record<string, unknown>];

/** Text of a message's content: a string, or the text parts of a content-block list. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'string' ? part : part && typeof part === 'object' && 'text' in part ? String(part.text ?? '') : '')).join('');
  }
  return '';
}

/** The AI messages a run added after the last human message: what the bot says. */
export function answerOf(values: Record<string, unknown> | null): string {
  const messages = (values?.messages ?? []) as Array<{ type?: string; content?: unknown }>;
  if (!Array.isArray(messages)) return '';
  let lastHuman = -1;
  messages.forEach((message, index) => {
    if (message?.type === 'human') lastHuman = index;
  });
  return messages
    .slice(lastHuman + 1)
    .filter((message) => message?.type === 'ai')
    .map((message) => textOf(message.content).trim())
    .filter(Boolean)
    .join('\n\n');
}

/**
 * Streams one run's answer into the conversation: a busy indicator, the text as it is
 * produced (the platform's native streaming, or message edits at most once per
 * `editIntervalMs`), split at the platform's limit, and the final text delivered through
 * the outbox. Partial edits are best effort; the final reply is durable.
 */
export class ReplyStreamer {
  readonly #d: ReplyDeps;
  readonly #record: ReplyRecord;
  readonly #texts = new Map<string, string>();
  #shown = '';
  #lastEdit = 0;
  #editTimer: NodeJS.Timeout | undefined;
  #editing: Promise<void> = Promise.resolve();
  #native: NativeStream | null | undefined;
  #rateLimitedUntil = 0;
  /** The first message of the reply, queued in the outbox and not yet delivered. */
  #firstSend: Promise<void> | undefined;

  constructor(deps: ReplyDeps, record: ReplyRecord) {
    this.#d = deps;
    this.#record = record;
  }

  get record(): ReplyRecord {
    return this.#record;
  }

  async run(): Promise<RunOutcome> {
    const { engine, adapter, log } = this.#d;
    const { place, run_id: runId, thread_id: threadId } = this.#record;
    await adapter.status(place, true, { triggerMessageId: this.#record.trigger?.messageId }).catch((error: unknown) => log.debug({ err: error }, 'status indicator failed'));
    try {
      for await (const event of engine.runs.stream(threadId, runId)) {
        if (event.event !== 'messages' && !event.event.startsWith('messages|')) continue;
        const [chunk] = event.data as ChunkData;
        if (!chunk || (chunk.type !== 'ai' && chunk.type !== 'AIMessageChunk')) continue;
        const text = textOf(chunk.content);
        if (!text) continue;
        const id = chunk.id ?? 'unnamed';
        this.#texts.set(id, (this.#texts.get(id) ?? '') + text);
        this.#scheduleEdit();
      }
    } catch (error) {
      log.warn({ err: error, runId }, 'lost the stream of a run; finishing from its outcome');
    }
    if (this.#editTimer) clearTimeout(this.#editTimer);
    await this.#editing;
    const outcome = await engine.runs.join(threadId, runId);
    // The reply's first message must exist (or be given up on) before the final text goes out.
    await this.#firstSend;
    try {
      await this.#finish(outcome);
    } finally {
      await adapter.status(place, false, { triggerMessageId: this.#record.trigger?.messageId }).catch(() => undefined);
    }
    return outcome;
  }

  #currentText(): string {
    return [...this.#texts.values()]
      .map((text) => text.trim())
      .filter(Boolean)
      .join('\n\n');
  }

  #scheduleEdit() {
    if (this.#editTimer) return;
    const wait = Math.max(0, this.#lastEdit + this.#d.editIntervalMs - Date.now(), this.#rateLimitedUntil - Date.now());
    this.#editTimer = setTimeout(() => {
      this.#editTimer = undefined;
      this.#editing = this.#editing.then(() => this.#flush()).catch((error: unknown) => this.#d.log.debug({ err: error }, 'a streamed edit failed'));
    }, wait);
  }

  /** Shows the text so far: one partial edit (or native append), never more than one at a time. */
  async #flush() {
    const text = this.#currentText();
    if (!text || text === this.#shown) return;
    this.#lastEdit = Date.now();
    const { adapter, outbox } = this.#d;
    const { place } = this.#record;
    if (this.#native === undefined) this.#native = this.#d.nativeStreaming && adapter.openStream ? await this.#openNative() : null;
    // Intermediate renders are `partial`: when the platform's budget is short they are skipped
    // (BudgetShortError) and the text gathers for the next one, or for the final text.
    if (this.#native) {
      if (text.startsWith(this.#shown) && text.length < adapter.maxMessageChars) {
        await this.#native.append(text.slice(this.#shown.length));
        this.#shown = text;
      }
      return;
    }
    const first = { markdown: splitMessage(text, Math.floor(adapter.maxMessageChars * 0.9))[0]!, partial: true };
    if (!this.#record.parts[0]) {
      if (this.#firstSend) {
        // Still waiting to be delivered (rate limit, outage): deliver the newer text instead.
        await outbox.replacePending(this.#record.run_id, 0, first);
      } else {
        const firstSend = outbox
          .enqueue(place, { kind: 'send', message: first }, { reply: { runId: this.#record.run_id, part: 0 } })
          .then((messageId) => void (this.#record.parts[0] = messageId ?? null))
          .catch((error: unknown) => {
            // Skipped for want of budget: a later render may try again, else the final text posts it.
            if (error instanceof BudgetShortError && this.#firstSend === firstSend) this.#firstSend = undefined;
            this.#d.log.debug({ err: error }, 'the first part of a reply is not delivered yet');
          });
        this.#firstSend = firstSend;
      }
    } else {
      try {
        await adapter.update(place, this.#record.parts[0], first);
      } catch (error) {
        const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
        if (retryAfter) this.#rateLimitedUntil = Date.now() + retryAfter;
        throw error;
      }
    }
    this.#shown = text;
  }

  /** The answer's files (image / file blocks), after its text, through the outbox: queued once, then waited for. */
  async #postFiles(outcome: RunOutcome) {
    const { outbox, state, log } = this.#d;
    const files = this.#record.files_queued ? [] : answerFiles(outcome.values);
    if (files.length === 0) return;
    const delivered = await queueAnswerFiles({ outbox, state, log, place: this.#record.place, runId: this.#record.run_id, files });
    this.#record.files_queued = true;
    await state.replies.put(this.#record.run_id, this.#record);
    await delivered;
  }

  async #openNative(): Promise<NativeStream | null> {
    const trigger = this.#record.trigger;
    if (!trigger?.userId) return null;
    try {
      return (await this.#d.adapter.openStream?.(this.#record.place, { userId: trigger.userId, teamId: trigger.userTeam })) ?? null;
    } catch (error) {
      this.#d.log.debug({ err: error }, 'native streaming unavailable here; streaming by edits');
      return null;
    }
  }

  /** The final reply: the run's answer (or what happened to it), split and delivered durably. */
  async #finish(outcome: RunOutcome) {
    const { adapter, outbox, state, log } = this.#d;
    const { place } = this.#record;
    // Message ids the outbox recorded for this reply (also those delivered before a restart).
    const stored = await state.replies.get(this.#record.run_id);
    stored?.parts.forEach((id, index) => {
      if (id && !this.#record.parts[index]) this.#record.parts[index] = id;
    });
    let text: string;
    if (outcome.rolled_back) text = this.#shown ? '_(replaced by your newer message)_' : '';
    else if (outcome.error) {
      log.error({ runId: this.#record.run_id, error: outcome.error }, 'a run failed; the conversation gets a short notice');
      text = `Sorry, something went wrong while answering. (Run ${this.#record.run_id} failed; the details are in the server log.)`;
    } else {
      text = answerOf(outcome.values) || this.#currentText();
      if (outcome.status === 'interrupted' && outcome.interrupts.length === 0) text = text ? `${text}\n\n_(stopped)_` : this.#shown ? '_(stopped)_' : '';
      if (outcome.status === 'timeout') text = `${text}\n\n_(stopped: the run took too long)_`.trim();
    }
    const parts = text ? splitMessage(text, Math.floor(adapter.maxMessageChars * 0.9)) : [];
    // A finished answer carries 👍/👎 on its last part; errors, stops and questions do not.
    const rated = outcome.status === 'success' && !outcome.rolled_back && !outcome.error && outcome.interrupts.length === 0 && parts.length > 0;
    const feedbackOn = (index: number) => (rated && index === parts.length - 1 ? { feedback: { threadId: this.#record.thread_id, runId: this.#record.run_id } } : {});
    if (this.#native) {
      // A native stream only appends: its stop carries the final text not streamed yet; only
      // when the final text is not a continuation of what was streamed (or the stop failed)
      // is the stopped message edited to it.
      const final = parts[0] ?? '';
      const rest = final !== '' && final.startsWith(this.#shown) ? final.slice(this.#shown.length) : undefined;
      let carried = rest !== undefined;
      const id = await this.#native.stop(rest, feedbackOn(0).feedback).catch(() => {
        carried = false;
        return this.#native?.messageId;
      });
      this.#record.parts[0] = id ?? this.#record.parts[0] ?? null;
      if (!carried && this.#record.parts[0]) {
        await outbox.enqueue(place, { kind: 'update', messageId: this.#record.parts[0], message: { markdown: parts[0] ?? '_(no answer)_', ...feedbackOn(0) } });
      }
    }
    for (const [index, markdown] of parts.entries()) {
      if (this.#native && index === 0) continue;
      const link = { reply: { runId: this.#record.run_id, part: index } };
      const message = { markdown, ...feedbackOn(index) };
      // A part still waiting in the outbox (from before a restart, say) just gets the final text.
      if (await outbox.replacePending(this.#record.run_id, index, message)) continue;
      const messageId = this.#record.parts[index];
      if (messageId) await outbox.enqueue(place, { kind: 'update', messageId, message }, link);
      else this.#record.parts[index] = (await outbox.enqueue(place, { kind: 'send', message }, link)) ?? null;
    }
    if (!outcome.rolled_back && !outcome.error) await this.#postFiles(outcome);
    if (outcome.interrupts.length > 0) await this.#d.onInterrupted(this.#record, outcome);
    this.#record.status = 'done';
    await state.replies.put(this.#record.run_id, this.#record);
  }
}
