import type { RunOutcome } from '../engine/executor.ts';
import type { Run } from '../storage/types.ts';
import type { ChatContext } from './context.ts';
import { conversationKey } from './conversations.ts';
import { describeAnswerers, describeInterrupt, mayAnswer, resumeForForm, resumeForOption, resumeForText, type PromptRecord } from './prompts.ts';
import { chatIdentity } from './identity.ts';
import { newReplyRecord, type ReplyRecord } from './replies.ts';
import type { ChatUser, FormOpening, FormVerdict, IncomingAction, IncomingFormSubmission, IncomingMessage, PromptView } from './types.ts';

type Privately = (text: string) => Promise<void>;

/** Forms sent back with errors are kept (per prompt, option and person) to prefill the next opening; at most this many. */
const MAX_DRAFTS = 500;

/**
 * A graph's questions in chat: each pending interrupt of a run becomes a prompt message
 * (buttons, or a typed answer where it takes one), and the first acceptable answer resumes
 * the thread with `Command({ resume })`. One answer per prompt, ever.
 */
export class PromptFlow {
  readonly #ctx: ChatContext;
  /** Prompts being answered in this process right now (a double click is told so). */
  readonly #answering = new Set<string>();
  /** What people typed into forms that came back with errors (Discord's modals cannot show errors in place). */
  readonly #drafts = new Map<string, { values: Record<string, string>; json?: string | undefined }>();

  constructor(ctx: ChatContext) {
    this.#ctx = ctx;
  }

  /** Turns each pending interrupt of a run into a prompt message. */
  async ask(reply: ReplyRecord, outcome: RunOutcome): Promise<void> {
    const { state, engine, conversations, outbox } = this.#ctx;
    const conversation = await conversations.find(reply.place);
    const settings = await conversations.settings(reply.place);
    const run = await engine.runs.get(reply.thread_id, reply.run_id).catch(() => null);
    for (const pending of outcome.interrupts) {
      const described = describeInterrupt(pending.value);
      const id = crypto.randomUUID();
      const record: PromptRecord = {
        id,
        conversation: reply.conversation,
        place: reply.place,
        thread_id: reply.thread_id,
        assistant_id: run?.assistant_id ?? (await conversations.assistantFor(conversation, reply.place)),
        run_id: reply.run_id,
        interrupt_id: pending.id,
        kind: described.kind,
        as_list: described.as_list,
        action: described.action,
        human: described.human,
        view: { promptId: id, question: described.question, options: described.options, allowFreeText: described.allowFreeText },
        answerers: described.answerers ?? settings.prompt_answerers ?? 'anyone',
        starter: reply.trigger?.userId ?? conversation?.started_by,
        status: 'pending',
        created_at: new Date().toISOString(),
      };
      await state.prompts.put(id, record);
      await outbox.enqueue(reply.place, { kind: 'send', message: { markdown: '', prompt: record.view } }, { prompt: id });
    }
  }

  /** A click on one of a prompt's buttons. */
  async answerClick(action: IncomingAction): Promise<void> {
    const prompt = await this.#ctx.state.prompts.get(action.promptId);
    if (!prompt) return action.replyPrivately('This question is no longer available.');
    const chosen = resumeForOption(prompt, action.optionIndex);
    if (!chosen) {
      const opensForm = Boolean(prompt.view.options[action.optionIndex]?.form);
      return action.replyPrivately(opensForm ? 'That choice opens a form: click it again to fill it in.' : 'That choice is not part of this question.');
    }
    await this.#answer(prompt, action.user, chosen, action.replyPrivately);
  }

  /**
   * A click on an option that opens a form: the form (prefilled with what this person typed
   * last time, if it came back with errors), or why they cannot answer. Only a storage read:
   * the platform opens the form right after, within its trigger's few seconds.
   */
  async openForm(action: Pick<IncomingAction, 'user' | 'promptId' | 'optionIndex'>): Promise<FormOpening> {
    const prompt = await this.#ctx.state.prompts.get(action.promptId);
    if (!prompt) return { refused: 'This question is no longer available.' };
    const refusal = refusalFor(prompt, action.user);
    if (refusal) return { refused: refusal };
    const form = prompt.view.options[action.optionIndex]?.form;
    if (!form) return { refused: 'That choice is not part of this question.' };
    const draft = this.#drafts.get(draftKey(action));
    if (!draft) return { form };
    const fields = form.fields.map((field) => (field.name in draft.values ? { ...field, initial: draft.values[field.name] } : field));
    return { form: { ...form, fields }, ...(draft.json === undefined ? {} : { typedJson: draft.json }) };
  }

  /**
   * A filled-in form: checked at once (field errors, or a refusal, go back to the form), then
   * answered like a click, with the same one-answer-ever rule; `done` ends when the run resumed.
   */
  async submitForm(submission: IncomingFormSubmission): Promise<FormVerdict> {
    const prompt = await this.#ctx.state.prompts.get(submission.promptId);
    if (!prompt) return { status: 'refused', message: 'This question is no longer available.' };
    const refusal = refusalFor(prompt, submission.user);
    if (refusal) return { status: 'refused', message: refusal };
    const answer = resumeForForm(prompt, submission);
    if (!answer) return { status: 'refused', message: 'That choice is not part of this question.' };
    const key = draftKey(submission);
    if ('errors' in answer) {
      this.#drafts.delete(key);
      this.#drafts.set(key, { values: answer.submitted, json: submission.asJson });
      if (this.#drafts.size > MAX_DRAFTS) this.#drafts.delete(this.#drafts.keys().next().value!);
      return { status: 'invalid', errors: answer.errors };
    }
    this.#drafts.delete(key);
    return { status: 'accepted', done: this.#answer(prompt, submission.user, answer, submission.replyPrivately) };
  }

  /**
   * A typed message answers the conversation's pending prompt when that prompt takes text;
   * false when it is not an answer. Never a question of an assistant the conversation has
   * left: such a prompt is closed instead (a switch closes them, this covers a switch made
   * elsewhere, e.g. the channel's default changing under a conversation).
   */
  async answerText(message: IncomingMessage): Promise<boolean> {
    const { outbox, conversations } = this.#ctx;
    const key = conversationKey(message.place);
    const pendings = (await this.#pendingIn(key)).filter((prompt) => prompt.view.allowFreeText).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    if (pendings.length === 0) return false;
    const current = await conversations.assistantFor(await conversations.find(message.place), message.place);
    const left = pendings.filter((prompt) => prompt.assistant_id !== current);
    if (left.length > 0) await this.#drop(left, 'the conversation moved to another assistant');
    const pending = pendings.find((prompt) => prompt.assistant_id === current);
    if (!pending || !mayAnswer(pending, message.user)) return false;
    const answer = resumeForText(pending, message.text);
    const privately: Privately = (text) => outbox.enqueue(message.place, { kind: 'ephemeral', userId: message.user.id, markdown: text }).then(() => undefined);
    if ('error' in answer) {
      await privately(`That doesn't answer the question: ${answer.error}.`);
      return true;
    }
    await this.#answer(pending, message.user, answer, privately);
    return true;
  }

  /**
   * Closes the pending questions of a conversation that switched assistants: each is marked
   * dropped and its message says so, and by whom, so no later message answers it.
   * Returns how many were closed.
   */
  async dropPending(conversation: string, by: ChatUser, assistantName: string): Promise<number> {
    const pending = await this.#pendingIn(conversation);
    await this.#drop(pending, `dropped by ${by.name ?? by.id}: switched to ${assistantName}`);
    return pending.length;
  }

  /** The questions of a conversation still waiting for an answer. */
  async #pendingIn(conversation: string): Promise<PromptRecord[]> {
    return (await this.#ctx.state.prompts.list()).map(({ value }) => value).filter((prompt) => prompt.conversation === conversation && prompt.status === 'pending');
  }

  async #drop(prompts: PromptRecord[], why: string): Promise<void> {
    for (const prompt of prompts) {
      await this.#ctx.state.prompts.put(prompt.id, { ...prompt, status: 'stale' });
      await this.#showAnswered(prompt, { by: '—', choice: why });
    }
  }

  /** Records the message that shows a prompt, once delivered (its buttons are edited there when answered). */
  async shownAt(promptId: string, messageId: string): Promise<void> {
    const prompt = await this.#ctx.state.prompts.get(promptId);
    if (prompt) await this.#ctx.state.prompts.put(prompt.id, { ...prompt, message_id: messageId });
  }

  /**
   * One answer per prompt, ever: a second click (or a click after a restart, or on a
   * question the graph no longer asks) is told who answered, and nothing is resumed twice.
   */
  async #answer(prompt: PromptRecord, user: ChatUser, answer: { value: unknown; label: string }, privately: Privately): Promise<void> {
    if (this.#answering.has(prompt.id)) return privately('Someone is answering this right now.');
    this.#answering.add(prompt.id);
    try {
      await this.#answerOnce(prompt, user, answer, privately);
    } finally {
      this.#answering.delete(prompt.id);
    }
  }

  async #answerOnce(prompt: PromptRecord, user: ChatUser, answer: { value: unknown; label: string }, privately: Privately): Promise<void> {
    const { state, engine, log } = this.#ctx;
    const current = (await state.prompts.get(prompt.id)) ?? prompt;
    const refusal = refusalFor(current, user);
    if (refusal) return privately(refusal);
    const threadState = await engine.threads.getState(current.thread_id);
    if (!threadState.interrupts.some((pending) => pending.id === current.interrupt_id)) {
      await state.prompts.put(current.id, { ...current, status: 'stale' });
      await this.#showAnswered(current, { by: '—', choice: 'no longer pending' });
      return privately('This question is no longer pending.');
    }
    const by = user.name ?? user.id;
    await state.prompts.put(current.id, { ...current, status: 'answered', answered_by: { id: user.id, name: by }, answer_label: answer.label });
    const resume = threadState.interrupts.length > 1 ? { [current.interrupt_id]: answer.value } : answer.value;
    let run: Run;
    try {
      run = await engine.runs.create(current.thread_id, {
        assistant_id: current.assistant_id,
        command: { resume },
        stream_mode: ['messages-tuple'],
        multitask_strategy: 'enqueue',
        // The person who answered is the one talking now.
        config: { configurable: { ...chatIdentity(current.place, user, {}, this.#ctx.access.isAdmin(current.place, user)) } },
      });
    } catch (error) {
      // Not resumed: the question stays open rather than claiming an answer that went nowhere.
      await state.prompts.put(current.id, current);
      log.error({ err: error, promptId: current.id }, 'could not resume a run with an answer');
      return privately('Sorry, your answer could not be passed on; please try again.');
    }
    await this.#showAnswered(current, { by, choice: answer.label });
    const record = newReplyRecord(run, { place: current.place, key: current.conversation }, { userId: user.id }, this.#ctx.owner);
    await state.replies.put(run.run_id, record);
    this.#ctx.streamReply(record);
  }

  /** Edits the prompt's message to show who chose what, without buttons. */
  async #showAnswered(prompt: PromptRecord, answered: NonNullable<PromptView['answered']>): Promise<void> {
    if (!prompt.message_id) return;
    await this.#ctx.outbox.enqueue(prompt.place, { kind: 'update', messageId: prompt.message_id, message: { markdown: '', prompt: { ...prompt.view, answered } } });
  }
}

/** Why this person cannot answer this prompt now, if they cannot. */
function refusalFor(prompt: PromptRecord, user: ChatUser): string | undefined {
  if (prompt.status === 'answered') return `Already answered by ${prompt.answered_by?.name ?? 'someone'} (${prompt.answer_label}).`;
  if (prompt.status === 'stale') return 'This question is no longer pending.';
  if (!mayAnswer(prompt, user)) return `Only ${describeAnswerers(prompt)} can answer this.`;
  return undefined;
}

const draftKey = (o: { promptId: string; optionIndex: number; user: ChatUser }) => `${o.promptId}:${o.optionIndex}:${o.user.id}`;
