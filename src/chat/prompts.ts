import { argumentFields, checkForm, fieldErrors, formLabel, formOption, isFormResume, parseFields, resumeValue, submittedValues, textForm } from './forms.ts';
import type { ChatUser, FieldError, IncomingFormSubmission, Place, PromptOption, PromptView } from './types.ts';

/**
 * Turning a graph's `interrupt(value)` into something people answer in chat, and their
 * answer back into the value the graph resumes with. Three shapes are understood:
 *
 * - Switchboard prompts: `{ question, options?: [{ label, value, style?, fields? } | string], fields?, allow_free_text?, answerers? }`;
 *   declared `fields` (and an option's fields, or an 'edit' option) open a form (forms.ts)
 * - LangGraph's HumanInterrupt (agent inbox): `{ action_request: { action, args }, config: { allow_accept,
 *   allow_ignore, allow_respond, allow_edit }, description? }`, alone or in a one-element list; the answer
 *   is a HumanResponse (`{ type: 'accept' | 'ignore' | 'response' | 'edit', args }`), in a list when asked in one
 * - LangChain's human-in-the-loop request (Agent Inbox's current shape): `{ action_requests: [{ name, args,
 *   description? }], review_configs: [{ action_name, allowed_decisions }] }`; the answer is
 *   `{ decisions: [...] }`, one per action: approve or reject by button, a typed reason rejects,
 *   typed JSON edits (one action)
 * - anything else: shown as text, answered with free text
 */
export type PromptKind = 'prompt' | 'human_interrupt' | 'review' | 'text';

export type Answerers = 'anyone' | 'starter' | string[];

export interface PromptRecord {
  id: string;
  conversation: string;
  place: Place;
  thread_id: string;
  assistant_id: string;
  run_id: string;
  interrupt_id: string;
  kind: PromptKind;
  /** The HumanInterrupt was asked as a list: answer with a list. */
  as_list: boolean;
  /** For HumanInterrupt edits: the action being edited, and which typed answers count. */
  action?: string | undefined;
  human?: { allow_respond: boolean; allow_edit: boolean } | undefined;
  view: PromptView;
  answerers: Answerers;
  starter?: string | undefined;
  message_id?: string | undefined;
  status: 'pending' | 'answered' | 'stale';
  answered_by?: { id: string; name: string } | undefined;
  answer_label?: string | undefined;
  created_at: string;
}

interface HumanInterruptValue {
  action_request: { action: string; args?: unknown };
  config?: { allow_accept?: boolean; allow_ignore?: boolean; allow_respond?: boolean; allow_edit?: boolean };
  description?: string;
}

const MAX_QUESTION = 2800;

function asHumanInterrupt(value: unknown): { request: HumanInterruptValue; asList: boolean } | null {
  const candidate = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (candidate && typeof candidate === 'object' && 'action_request' in candidate) {
    const request = candidate as HumanInterruptValue;
    if (request.action_request && typeof request.action_request.action === 'string') return { request, asList: Array.isArray(value) };
  }
  return null;
}

interface ReviewRequest {
  action_requests: Array<{ name: string; args?: unknown; description?: string }>;
  review_configs?: Array<{ action_name: string; allowed_decisions?: string[] }>;
}

function asReviewRequest(value: unknown): ReviewRequest | null {
  const candidate = value as Partial<ReviewRequest> | null;
  if (!candidate || typeof candidate !== 'object' || !Array.isArray(candidate.action_requests) || candidate.action_requests.length === 0) return null;
  return candidate.action_requests.every((action) => action && typeof action.name === 'string') ? (candidate as ReviewRequest) : null;
}

function describeReview(review: ReviewRequest): ReturnType<typeof describeInterrupt> {
  const actions = review.action_requests;
  // A decision is offered when every action allows it (no config for an action: all three).
  const allowed = (decision: string) =>
    actions.every((action) => (review.review_configs?.find((config) => config.action_name === action.name)?.allowed_decisions ?? ['approve', 'edit', 'reject']).includes(decision));
  const decisions = (type: string) => ({ decisions: actions.map(() => ({ type })) });
  const options: PromptOption[] = [];
  if (allowed('approve')) options.push({ label: 'Approve', value: decisions('approve'), style: 'primary' });
  const human = { allow_respond: allowed('reject'), allow_edit: actions.length === 1 && allowed('edit') };
  if (human.allow_edit) {
    const { fields, whole } = argumentFields(actions[0]!.args);
    options.push(formOption('Edit', { form: 'review_edit', action: actions[0]!.name, whole }, { title: `Edit ${actions[0]!.name}`, submitLabel: 'Save and run', fields }));
  }
  if (allowed('reject')) options.push({ label: 'Reject', value: decisions('reject'), style: 'danger' });
  const question = actions
    .map((action) => [action.description ?? `Review: **${action.name}**`, action.args === undefined ? '' : `\`\`\`\n${summarize(action.args)}\n\`\`\``].filter(Boolean).join('\n'))
    .join('\n');
  return {
    kind: 'review',
    as_list: false,
    action: actions[0]!.name,
    human,
    question: question.slice(0, MAX_QUESTION),
    options,
    allowFreeText: human.allow_respond || human.allow_edit,
  };
}

function summarize(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return text.length > MAX_QUESTION ? `${text.slice(0, MAX_QUESTION)}…` : text;
}

/** The view and answer rules of an interrupt value. */
export function describeInterrupt(value: unknown): Pick<PromptRecord, 'kind' | 'as_list' | 'action' | 'human'> & {
  question: string;
  options: PromptOption[];
  allowFreeText: boolean;
  answerers?: Answerers | undefined;
} {
  const review = asReviewRequest(value);
  if (review) return describeReview(review);
  const human = asHumanInterrupt(value);
  if (human) {
    const { request } = human;
    const config = request.config ?? {};
    const args = request.action_request.args;
    const question = [request.description ?? `Review: **${request.action_request.action}**`, args === undefined ? '' : `\`\`\`\n${summarize(args)}\n\`\`\``]
      .filter(Boolean)
      .join('\n');
    const options: PromptOption[] = [];
    const action = request.action_request.action;
    // Agent Inbox's four answers, in its order: accept, edit (a form prefilled with the arguments), respond (a text form), ignore.
    if (config.allow_accept) options.push({ label: 'Accept', value: { type: 'accept', args: null }, style: 'primary' });
    if (config.allow_edit) {
      const { fields, whole } = argumentFields(args);
      options.push(formOption('Edit', { form: 'human_edit', action, whole }, { title: `Edit ${action}`, submitLabel: 'Save', fields }));
    }
    if (config.allow_respond) {
      options.push(formOption('Respond', { form: 'human_response' }, textForm('Respond', 'Send', { name: 'response', label: 'Your response', type: 'textarea' })));
    }
    if (config.allow_ignore) options.push({ label: 'Ignore', value: { type: 'ignore', args: null }, style: 'danger' });
    return {
      kind: 'human_interrupt',
      as_list: human.asList,
      action: request.action_request.action,
      human: { allow_respond: Boolean(config.allow_respond), allow_edit: Boolean(config.allow_edit) },
      question: question.slice(0, MAX_QUESTION),
      options,
      allowFreeText: Boolean(config.allow_respond || config.allow_edit),
    };
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { question?: unknown }).question === 'string') {
    const prompt = value as {
      question: string;
      options?: unknown[];
      fields?: unknown;
      allow_free_text?: boolean;
      answerers?: unknown;
      allowed_users?: unknown;
      proposal?: unknown;
    };
    const problems: string[] = [];
    const options = (prompt.options ?? []).flatMap((option): PromptOption[] => {
      if (typeof option === 'string') return [option === 'edit' ? editOption(option, option, prompt.proposal) : { label: option, value: option }];
      if (option && typeof option === 'object' && 'label' in option) {
        const { label, value: optionValue, style, fields } = option as { label: unknown; value?: unknown; style?: unknown; fields?: unknown };
        const styled = style === 'primary' || style === 'danger' ? style : undefined;
        const answer = optionValue ?? label;
        if (fields !== undefined) {
          const parsed = parseFields(fields);
          if ('error' in parsed) problems.push(`${String(label)}: ${parsed.error}`);
          else
            return [
              formOption(
                String(label),
                { form: 'option', value: answer },
                { title: String(label), submitLabel: answer === 'edit' ? 'Save' : 'Submit', fields: parsed.fields },
                styled,
              ),
            ];
        }
        if (answer === 'edit') return [editOption(String(label), answer, prompt.proposal, styled)];
        return [{ label: String(label), value: answer, ...(styled ? { style: styled } : {}) }];
      }
      return [];
    });
    if (prompt.fields !== undefined) {
      const parsed = parseFields(prompt.fields);
      if ('error' in parsed) problems.push(parsed.error);
      else options.unshift(formOption('Answer', { form: 'values' }, { title: 'Answer', submitLabel: 'Submit', fields: parsed.fields }, 'primary'));
    }
    // The forms say what they answer (a modal hides the message it came from).
    for (const option of options) if (option.form) option.form.intro = prompt.question.slice(0, MAX_QUESTION);
    const answerers = prompt.answerers ?? prompt.allowed_users;
    // A form the graph declared wrong is said so in the question, and a typed answer still works.
    const note = problems.length > 0 ? `\n\n_(The form could not be shown: ${problems.join('; ')})_` : '';
    return {
      kind: 'prompt',
      as_list: false,
      question: `${prompt.question.slice(0, MAX_QUESTION)}${note}`,
      options,
      allowFreeText: prompt.allow_free_text ?? (options.length === 0 || problems.length > 0),
      answerers: answerers === 'anyone' || answerers === 'starter' ? answerers : Array.isArray(answerers) ? answerers.map(String) : undefined,
    };
  }
  return { kind: 'text', as_list: false, question: summarize(value), options: [], allowFreeText: true };
}

/** Whether this user may answer: anyone in the conversation, its starter, or listed users / roles. */
export function mayAnswer(record: PromptRecord, user: ChatUser): boolean {
  if (record.answerers === 'anyone') return true;
  if (record.answerers === 'starter') return record.starter === undefined || record.starter === user.id;
  return record.answerers.includes(user.id) || (user.roles ?? []).some((role) => record.answerers.includes(role));
}

export function describeAnswerers(record: PromptRecord): string {
  if (record.answerers === 'anyone') return 'anyone in this conversation';
  if (record.answerers === 'starter') return 'the person who asked';
  return record.answerers.join(', ');
}

/** An 'edit' option of a prompt: a form with the text to edit, prefilled with the prompt's `proposal` when it has one. */
function editOption(label: string, value: unknown, proposal: unknown, style?: 'primary' | 'danger'): PromptOption {
  const field = { name: 'text', label: 'Your edit', type: 'textarea' as const, ...(typeof proposal === 'string' ? { initial: proposal } : {}) };
  return formOption(label, { form: 'option', value }, textForm(label, 'Save', field), style);
}

/** The value the graph resumes with, for a clicked option; null for an unknown option or one that opens a form. */
export function resumeForOption(record: PromptRecord, index: number): { value: unknown; label: string } | null {
  const option = record.view.options[index];
  if (!option || option.form) return null;
  const value = record.kind === 'human_interrupt' && record.as_list ? [option.value] : option.value;
  return { value, label: option.label };
}

/**
 * The value the graph resumes with, for a filled-in form; the fields' errors (and the text as
 * submitted, by field name, to prefill the form again) when it does not check out.
 */
export function resumeForForm(
  record: PromptRecord,
  submission: Pick<IncomingFormSubmission, 'optionIndex' | 'values' | 'asJson'>,
): { value: unknown; label: string } | { errors: FieldError[]; submitted: Record<string, string> } | null {
  const option = record.view.options[submission.optionIndex];
  if (!option?.form || !isFormResume(option.value)) return null;
  const submitted = submittedValues(option.form, submission);
  if ('errors' in submitted) return { errors: submitted.errors, submitted: {} };
  const checked = checkForm(option.form, submitted.values);
  if ('errors' in checked) return { errors: fieldErrors(option.form, checked.errors), submitted: submitted.values };
  const value = resumeValue(option.value, checked.values);
  return { value: record.kind === 'human_interrupt' && record.as_list ? [value] : value, label: formLabel(option.label, checked.values) };
}

/**
 * The value the graph resumes with, for a typed answer; null when the text is not an
 * acceptable answer (with the reason).
 */
export function resumeForText(record: PromptRecord, text: string): { value: unknown; label: string } | { error: string } {
  if (!record.view.allowFreeText) return { error: 'this question only takes one of its buttons' };
  if (record.kind === 'review') return reviewAnswer(record, text);
  if (record.kind !== 'human_interrupt') return { value: text, label: text };
  const trimmed = text.trim();
  const { allow_respond: respond = true, allow_edit: edit = false } = record.human ?? {};
  let response: unknown = null;
  if (edit && trimmed.startsWith('{')) {
    try {
      response = { type: 'edit', args: { action: record.action, args: JSON.parse(trimmed) } };
    } catch {
      // not JSON: a plain response, if those are allowed
    }
  }
  if (response === null) {
    if (!respond) return { error: 'an edit must be the new arguments, as JSON' };
    response = { type: 'response', args: text };
  }
  return { value: record.as_list ? [response] : response, label: text };
}

/** A typed answer to a review request: JSON edits the one action's arguments; other text rejects with it as the reason. */
function reviewAnswer(record: PromptRecord, text: string): { value: unknown; label: string } | { error: string } {
  const trimmed = text.trim();
  const { allow_respond: reject = false, allow_edit: edit = false } = record.human ?? {};
  if (edit && trimmed.startsWith('{')) {
    try {
      return { value: { decisions: [{ type: 'edit', edited_action: { name: record.action, args: JSON.parse(trimmed) } }] }, label: `edited: ${trimmed}` };
    } catch {
      // not JSON: a reason to reject, if rejecting is allowed
    }
  }
  if (!reject) return { error: 'an edit must be the new arguments, as JSON' };
  const count = Math.max(1, (record.view.options[0]?.value as { decisions?: unknown[] } | undefined)?.decisions?.length ?? 1);
  return { value: { decisions: Array.from({ length: count }, () => ({ type: 'reject', message: text })) }, label: `rejected: ${text}` };
}
