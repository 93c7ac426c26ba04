import { afterEach, describe, expect, it } from 'vitest';
import { asOneJsonField, checkForm, parseFields, submittedValues } from '../../src/chat/forms.ts';
import { describeInterrupt, type PromptRecord, resumeForForm } from '../../src/chat/prompts.ts';
import type { FormSpec, IncomingFormSubmission, Place, PromptView } from '../../src/chat/types.ts';
import { eventually, startTestChat, type TestChat } from '../helpers/chat.ts';
import { TRIP_FORM } from '../helpers/forms.ts';
import { promptRecordOf as recordOf } from '../helpers/prompt-record.ts';

const indexOf = (record: PromptRecord, label: string) => record.view.options.findIndex((option) => option.label === label);
const submit = (record: PromptRecord, label: string, values: Array<string | undefined>, asJson?: string) =>
  resumeForForm(record, { optionIndex: indexOf(record, label), values, ...(asJson === undefined ? {} : { asJson }) });

describe('forms: what an interrupt asks, and what a filled-in form resumes with', () => {
  it('declared fields become an Answer button opening the form; a select takes strings or { label, value }; fields declared wrong are said so and typed answers still work', () => {
    const described = describeInterrupt(TRIP_FORM);
    expect(described.options).toHaveLength(1);
    expect(described.options[0]).toMatchObject({ label: 'Answer', style: 'primary', value: { form: 'values' } });
    expect(described.options[0]!.form!.fields).toEqual([
      { name: 'city', label: 'City', type: 'text' },
      { name: 'notes', label: 'Notes', type: 'textarea', required: false },
      {
        name: 'class',
        label: 'Class',
        type: 'select',
        options: [
          { label: 'economy', value: 'economy' },
          { label: 'Business class', value: 'business' },
        ],
      },
    ]);
    expect(described.allowFreeText).toBe(false);
    expect(parseFields([{ name: 'a', type: 'select' }])).toEqual({ error: 'fields.0: a select needs options' });
    expect(parseFields([{ name: 'a' }, { name: 'a' }])).toEqual({ error: 'field names must be unique' });
    expect(parseFields([{ name: 'n', default: 3 }])).toEqual({ fields: [{ name: 'n', label: 'n', type: 'text', initial: '3' }] });
    const broken = describeInterrupt({ question: 'When?', fields: [{ name: 'day', type: 'date' }] });
    expect(broken.options).toEqual([]);
    expect(broken.allowFreeText).toBe(true);
    expect(broken.question).toMatch(/^When\?\n\n_\(The form could not be shown: fields\.0\.type: /);
  });

  it('a form checks required fields, select choices, JSON and length, and names each problem', () => {
    const spec: FormSpec = {
      title: 't',
      submitLabel: 's',
      fields: [
        { name: 'city', label: 'City', type: 'text' },
        { name: 'kind', label: 'Kind', type: 'select', options: [{ label: 'A', value: 'a' }] },
        { name: 'n', label: 'N', type: 'text', json: true },
        { name: 'note', label: 'Note', type: 'textarea', required: false },
      ],
    };
    expect(checkForm(spec, { city: ' ', kind: 'b', n: '{oops', note: '' })).toEqual({
      errors: { city: 'City is needed', kind: 'pick one of: A', n: 'this must be JSON (a number, true / false, "text", [..] or {..})' },
    });
    expect(checkForm(spec, { city: 'x'.repeat(3001), kind: 'a', n: '1' })).toEqual({ errors: { city: 'at most 3000 characters (this has 3001)' } });
    expect(checkForm(spec, { city: 'Oslo', kind: 'a', n: '[1,2]' })).toEqual({ values: { city: 'Oslo', kind: 'a', n: [1, 2], note: '' } });
  });

  it("HumanInterrupt (Agent Inbox): Edit resumes { type: 'edit', args: { action, args } } with the arguments' types kept, Respond { type: 'response', args }, in a list when asked in one", () => {
    const human = [
      { action_request: { action: 'pay', args: { to: 'bo', amount: 5, memo: 'a\nb' } }, config: { allow_accept: true, allow_edit: true, allow_respond: true, allow_ignore: true } },
    ];
    const record = recordOf(human);
    expect(record.view.options.map((option) => option.label)).toEqual(['Accept', 'Edit', 'Respond', 'Ignore']);
    expect(record.view.options[1]!.form!.fields.map((field) => [field.label, field.type, field.initial])).toEqual([
      ['to', 'text', 'bo'],
      ['amount (JSON)', 'text', '5'],
      ['memo', 'textarea', 'a\nb'],
    ]);
    expect(submit(record, 'Edit', ['ana', '7', 'c'])).toEqual({
      value: [{ type: 'edit', args: { action: 'pay', args: { to: 'ana', amount: 7, memo: 'c' } } }],
      label: 'Edit (to: ana, amount: 7, memo: c)',
    });
    expect(submit(record, 'Edit', ['ana', 'seven', 'c'])).toMatchObject({ errors: [{ index: 1, label: 'amount (JSON)' }] });
    expect(submit(record, 'Respond', ['not today'])).toEqual({ value: [{ type: 'response', args: 'not today' }], label: 'Respond (response: not today)' });
    // Arguments that are no object of named values are edited whole, as JSON.
    const whole = recordOf({ action_request: { action: 'tag', args: [] }, config: { allow_edit: true } });
    expect(submit(whole, 'Edit', ['["x"]'])).toMatchObject({ value: { type: 'edit', args: { action: 'tag', args: ['x'] } } });
  });

  it("a review request's Edit resumes { decisions: [{ type: 'edit', edited_action }] }; an 'edit' option resumes { action: 'edit', text }, prefilled with the proposal", () => {
    const review = recordOf({
      action_requests: [{ name: 'send', args: { to: 'a' } }],
      review_configs: [{ action_name: 'send', allowed_decisions: ['approve', 'edit', 'reject'] }],
    });
    expect(submit(review, 'Edit', ['b'])).toMatchObject({ value: { decisions: [{ type: 'edit', edited_action: { name: 'send', args: { to: 'b' } } }] } });
    const prompt = recordOf({ question: 'Ship?', options: ['approve', 'edit'], proposal: 'the draft' });
    expect(prompt.view.options[1]!.form!.fields).toEqual([{ name: 'text', label: 'Your edit', type: 'textarea', initial: 'the draft' }]);
    expect(submit(prompt, 'edit', ['the new draft'])).toMatchObject({ value: { action: 'edit', text: 'the new draft' } });
    const custom = recordOf({ question: 'Ship?', options: [{ label: 'Later', value: 'later', fields: [{ name: 'when', label: 'When' }] }] });
    expect(submit(custom, 'Later', ['Friday'])).toMatchObject({ value: { action: 'later', when: 'Friday' } });
  });

  it('a form too big for a platform is one JSON input of all answers, which maps back to the fields (or is refused as a whole)', () => {
    const spec = describeInterrupt(TRIP_FORM).options[0]!.form!;
    const folded = asOneJsonField(spec, 2);
    expect(folded.fields).toHaveLength(1);
    expect(JSON.parse(folded.fields[0]!.initial!)).toEqual({ city: '', notes: '', class: '' });
    expect(submittedValues(spec, { values: [], asJson: '{"city":"Oslo","class":"economy","n":2}' })).toEqual({ values: { city: 'Oslo', class: 'economy', n: '2' } });
    expect(submittedValues(spec, { values: [], asJson: '[1]' })).toMatchObject({ errors: [{ index: -1 }] });
    const record = recordOf(TRIP_FORM);
    expect(submit(record, 'Answer', [], '{"city":"Oslo","class":"economy","extra":"x"}')).toMatchObject({ errors: [{ label: 'City', message: 'unknown fields: extra' }] });
  });
});

describe('forms in the chat layer: the same safety as buttons', () => {
  let t: TestChat | undefined;
  afterEach(async () => t?.dispose());

  async function askTrip(config: Parameters<typeof startTestChat>[0] = {}) {
    t = await startTestChat({ assistant: 'trip', ...config }, { assistants: [{ name: 'trip', graph: 'asker', config: { configurable: { ask: TRIP_FORM } } }] });
    const place = await t.say('book it', { user: 'U1' });
    await t.chat.idle();
    const prompt = await eventually(() => {
      const found = t!.adapter.in(place).find((entry) => entry.message.prompt);
      if (!found) throw new Error('no prompt yet');
      return found.message.prompt!;
    });
    return { place, prompt };
  }
  const submission = (place: Place, prompt: PromptView, user: string, values: Array<string | undefined>, whispers: string[] = []): IncomingFormSubmission => ({
    place,
    user: { id: user, name: user },
    promptId: prompt.promptId,
    optionIndex: 0,
    values,
    replyPrivately: async (text) => void whispers.push(text),
  });
  const runs = async (place: Place) => t!.engine.runs.list((await t!.chat.conversations.find(place))!.thread_id);

  it('a form with errors resumes nothing and opens again as it was typed; the fixed form resumes with { name: value }; a click on a form button alone answers nothing', async () => {
    const { place, prompt } = await askTrip();
    const clickWhispers: string[] = [];
    await t!.chat.handleAction({ place, user: { id: 'U1' }, promptId: prompt.promptId, optionIndex: 0, replyPrivately: async (text) => void clickWhispers.push(text) });
    expect(clickWhispers).toEqual(['That choice opens a form: click it again to fill it in.']);
    const invalid = await t!.chat.submitForm(submission(place, prompt, 'U1', ['', 'aisle', 'first']));
    expect(invalid).toEqual({
      status: 'invalid',
      errors: [
        { index: 0, label: 'City', message: 'City is needed' },
        { index: 2, label: 'Class', message: 'pick one of: economy, Business class' },
      ],
    });
    expect(await runs(place)).toHaveLength(1);
    const reopened = await t!.chat.openForm({ place, user: { id: 'U1' }, promptId: prompt.promptId, optionIndex: 0 });
    expect('form' in reopened && reopened.form.fields.map((field) => field.initial)).toEqual(['', 'aisle', 'first']);
    // Someone else's draft is their own.
    const other = await t!.chat.openForm({ place, user: { id: 'U2' }, promptId: prompt.promptId, optionIndex: 0 });
    expect('form' in other && other.form.fields.map((field) => field.initial)).toEqual([undefined, undefined, undefined]);
    const accepted = await t!.chat.submitForm(submission(place, prompt, 'U1', ['Oslo', undefined, 'economy']));
    expect(accepted.status).toBe('accepted');
    if (accepted.status === 'accepted') await accepted.done;
    await t!.chat.idle();
    await eventually(() => expect(t!.adapter.texts(place).at(-1)).toBe('Got: {"city":"Oslo","notes":"","class":"economy"}'));
  });

  it('who may answer is checked when the form opens and when it is sent; two forms sent at once resume once; a late one is told who answered', async () => {
    const { place, prompt } = await askTrip({ prompt_answerers: 'starter' });
    expect(await t!.chat.openForm({ place, user: { id: 'U2' }, promptId: prompt.promptId, optionIndex: 0 })).toEqual({ refused: 'Only the person who asked can answer this.' });
    expect(await t!.chat.submitForm(submission(place, prompt, 'U2', ['Rome', '', 'economy']))).toEqual({
      status: 'refused',
      message: 'Only the person who asked can answer this.',
    });
    const whispers: string[] = [];
    const [a, b] = await Promise.all([
      t!.chat.submitForm(submission(place, prompt, 'U1', ['Oslo', '', 'economy'], whispers)),
      t!.chat.submitForm(submission(place, prompt, 'U1', ['Rome', '', 'economy'], whispers)),
    ]);
    await Promise.all([a, b].map((verdict) => (verdict.status === 'accepted' ? verdict.done : undefined)));
    await t!.chat.idle();
    expect(await runs(place)).toHaveLength(2);
    expect(whispers).toHaveLength(1);
    expect(whispers[0]).toMatch(/^(Someone is answering this right now\.|Already answered by U1 .*)$/);
    await t!.restart();
    expect(await t!.chat.submitForm(submission(place, prompt, 'U1', ['Paris', '', 'economy']))).toEqual({
      status: 'refused',
      message: expect.stringMatching(/^Already answered by U1 \(Answer \(city: (Oslo|Rome), notes: , class: economy\)\)\.$/),
    });
    expect(await runs(place)).toHaveLength(2);
  });
});
