import { z } from 'zod';
import type { FieldError, FormField, FormSpec, IncomingFormSubmission, PromptOption } from './types.ts';

/**
 * Forms for interrupts: which options open one, what the form holds, how a filled-in form
 * is checked, and the value the graph resumes with. Four kinds of form:
 *
 * - a prompt that declares `fields` (`{ question, fields: [{ name, label, type, options? }] }`):
 *   resumes with `{ [name]: value }`
 * - a prompt's option with `fields`, or whose value is `'edit'`: resumes with
 *   `{ action: <option value>, ...values }` (the approval graph's `{ action: 'edit', text }`)
 * - a HumanInterrupt (Agent Inbox): Edit prefills its arguments and resumes with
 *   `{ type: 'edit', args: { action, args } }`; Respond resumes with `{ type: 'response', args: text }`
 * - a LangChain review request with one action: Edit resumes with `{ decisions: [{ type: 'edit', edited_action }] }`
 *
 * A form option's `value` is its FormResume: how the values become the resume.
 */
export type FormResume =
  | { form: 'values' }
  | { form: 'option'; value: unknown }
  | { form: 'human_edit'; action: string; whole?: boolean }
  | { form: 'human_response' }
  | { form: 'review_edit'; action: string; whole?: boolean };

/** The longest text a field takes: Slack's plain_text_input allows 3,000 characters (Discord 4,000). */
export const MAX_FIELD_CHARS = 3000;
/** Past this, or with a line break, a string argument is edited in several lines. */
const ONE_LINE_CHARS = 80;

const choice = z.union([z.string().min(1).max(150), z.object({ label: z.coerce.string().min(1).max(150), value: z.coerce.string().min(1).max(150) })]);

/** The fields a graph declares (graph authors' input: checked, with a message that names the problem). */
const declaredField = z
  .object({
    name: z.string().min(1).max(100),
    label: z.string().min(1).max(2000).optional(),
    type: z.enum(['text', 'textarea', 'select']).default('text'),
    options: z.array(choice).min(1).max(100).optional(),
    initial: z.unknown().optional(),
    default: z.unknown().optional(),
    required: z.boolean().optional(),
  })
  .refine((field) => field.type !== 'select' || (field.options?.length ?? 0) > 0, { message: 'a select needs options' });
const declaredFields = z
  .array(declaredField)
  .min(1)
  .max(50)
  .refine((fields) => new Set(fields.map((field) => field.name)).size === fields.length, { message: 'field names must be unique' });

/** Declared fields as a form's fields; an error naming what is wrong with them otherwise. */
export function parseFields(raw: unknown): { fields: FormField[] } | { error: string } {
  const parsed = declaredFields.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: `${issue.path.length ? `fields.${issue.path.join('.')}: ` : ''}${issue.message}` };
  }
  return {
    fields: parsed.data.map((field) => {
      const initial = field.initial ?? field.default;
      return {
        name: field.name,
        label: field.label ?? field.name,
        type: field.type,
        ...(field.options ? { options: field.options.map((option) => (typeof option === 'string' ? { label: option, value: option } : option)) } : {}),
        ...(initial === undefined || initial === null ? {} : { initial: typeof initial === 'string' ? initial : JSON.stringify(initial) }),
        ...(field.required === false ? { required: false } : {}),
      };
    }),
  };
}

/**
 * A field per argument, prefilled: strings as text, anything else as JSON that must parse
 * back. Arguments that are not an object of named values are edited whole, as JSON (`whole`).
 */
export function argumentFields(args: unknown): { fields: FormField[]; whole: boolean } {
  if (!args || typeof args !== 'object' || Array.isArray(args) || Object.keys(args).length === 0) {
    return { fields: [{ name: 'args', label: 'Arguments (JSON)', type: 'textarea', json: true, initial: JSON.stringify(args ?? {}, null, 2) }], whole: true };
  }
  const fields = Object.entries(args as Record<string, unknown>).map(([name, value]): FormField => {
    if (typeof value === 'string') {
      const long = value.length > ONE_LINE_CHARS || value.includes('\n');
      return { name, label: name, type: long ? 'textarea' : 'text', initial: value, required: false };
    }
    const json = JSON.stringify(value, null, 2) ?? 'null';
    return { name, label: `${name} (JSON)`, type: json.includes('\n') ? 'textarea' : 'text', initial: json, json: true };
  });
  return { fields, whole: false };
}

export const formOption = (label: string, resume: FormResume, form: FormSpec, style?: 'primary' | 'danger'): PromptOption => ({
  label,
  value: resume,
  form,
  ...(style ? { style } : {}),
});

export const textForm = (title: string, submitLabel: string, field: FormField): FormSpec => ({ title, submitLabel, fields: [field] });

/** The values of a filled-in form, checked: each field's error otherwise (keyed by field name). */
export function checkForm(spec: FormSpec, submitted: Record<string, string>): { values: Record<string, unknown> } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const field of spec.fields) {
    const raw = submitted[field.name];
    const text = typeof raw === 'string' ? raw : '';
    if (text.trim() === '') {
      if (field.required !== false) errors[field.name] = `${field.label} is needed`;
      else values[field.name] = field.json ? null : '';
      continue;
    }
    if (text.length > MAX_FIELD_CHARS) {
      errors[field.name] = `at most ${MAX_FIELD_CHARS} characters (this has ${text.length})`;
      continue;
    }
    if (field.type === 'select' && !field.options?.some((option) => option.value === text)) {
      errors[field.name] = `pick one of: ${(field.options ?? []).map((option) => option.label).join(', ')}`;
      continue;
    }
    if (field.json) {
      try {
        values[field.name] = JSON.parse(text);
      } catch {
        errors[field.name] = 'this must be JSON (a number, true / false, "text", [..] or {..})';
      }
      continue;
    }
    values[field.name] = text;
  }
  const unknown = Object.keys(submitted).filter((name) => !spec.fields.some((field) => field.name === name));
  if (unknown.length > 0 && Object.keys(errors).length === 0) errors[spec.fields[0]!.name] = `unknown fields: ${unknown.join(', ')}`;
  return Object.keys(errors).length > 0 ? { errors } : { values };
}

/**
 * A submission's text per field name: by position, or from the one JSON object a platform
 * sent instead (Discord's modals hold 5 inputs); a JSON that is not an object of the form's fields is an error.
 */
export function submittedValues(spec: FormSpec, submission: Pick<IncomingFormSubmission, 'values' | 'asJson'>): { values: Record<string, string> } | { errors: FieldError[] } {
  if (submission.asJson === undefined) {
    return { values: Object.fromEntries(spec.fields.flatMap((field, index) => (submission.values[index] === undefined ? [] : [[field.name, submission.values[index]!]]))) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(submission.asJson);
  } catch {
    return { errors: [{ index: -1, label: 'Answers', message: 'this must be one JSON object, {"field": "value", ...}' }] };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    return { errors: [{ index: -1, label: 'Answers', message: 'this must be one JSON object, {"field": "value", ...}' }] };
  return { values: Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)])) };
}

/** checkForm's errors by field position, for the platforms. */
export function fieldErrors(spec: FormSpec, errors: Record<string, string>): FieldError[] {
  return Object.entries(errors).map(([name, message]) => {
    const index = spec.fields.findIndex((field) => field.name === name);
    return { index, label: spec.fields[index]?.label ?? name, message };
  });
}

/** The value a form's checked values resume with. */
export function resumeValue(resume: FormResume, values: Record<string, unknown>): unknown {
  switch (resume.form) {
    case 'values':
      return values;
    case 'option':
      return { action: resume.value, ...values };
    case 'human_edit':
      return { type: 'edit', args: { action: resume.action, args: resume.whole ? values.args : values } };
    case 'human_response':
      return { type: 'response', args: values.response };
    case 'review_edit':
      return { decisions: [{ type: 'edit', edited_action: { name: resume.action, args: resume.whole ? values.args : values } }] };
  }
}

/**
 * A form with more fields than a platform's forms hold, as one JSON input of all its answers
 * (submitted as `asJson`): everything stays answerable, and the label says why it looks so.
 */
export function asOneJsonField(spec: FormSpec, limit: number, typedJson?: string): FormSpec {
  const initial = Object.fromEntries(spec.fields.map((field) => [field.name, field.json && field.initial !== undefined ? safeParse(field.initial) : (field.initial ?? '')]));
  return {
    ...spec,
    fields: [
      {
        name: 'answers',
        label: `Answers as JSON (${spec.fields.length} fields; at most ${limit} fit here)`,
        type: 'textarea',
        initial: typedJson ?? JSON.stringify(initial, null, 2),
      },
    ],
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** How an answer shows in the prompt once answered ("bo chose …"): the values in short. */
export function formLabel(optionLabel: string, values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const text = `${optionLabel} (${parts.join(', ')})`;
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export const isFormResume = (value: unknown): value is FormResume => typeof value === 'object' && value !== null && typeof (value as { form?: unknown }).form === 'string';
