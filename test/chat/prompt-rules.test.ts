import { describe, expect, it } from 'vitest';
import { describeAnswerers, describeInterrupt, mayAnswer, resumeForOption, resumeForText } from '../../src/chat/prompts.ts';
import { promptRecordOf as recordOf } from '../helpers/prompt-record.ts';

describe('prompts: what an interrupt asks', () => {
  it('a Switchboard prompt: string and object options, styles kept only when known, free text only without options unless asked', () => {
    const described = describeInterrupt({
      question: 'Ship it?',
      options: ['Yes', { label: 'No', value: 'no', style: 'danger' }, { label: 'Later', style: 'loud' }, { label: 7 }, 42, null],
    });
    expect(described).toEqual({
      kind: 'prompt',
      as_list: false,
      question: 'Ship it?',
      options: [
        { label: 'Yes', value: 'Yes' },
        { label: 'No', value: 'no', style: 'danger' },
        { label: 'Later', value: 'Later' },
        { label: '7', value: 7 },
      ],
      allowFreeText: false,
      answerers: undefined,
    });
    expect(describeInterrupt({ question: 'Why?' }).allowFreeText).toBe(true);
    expect(describeInterrupt({ question: 'Pick', options: ['a'], allow_free_text: true }).allowFreeText).toBe(true);
    expect(describeInterrupt({ question: 'Pick', options: [{ label: 'Go', style: 'primary' }] }).options).toEqual([{ label: 'Go', value: 'Go', style: 'primary' }]);
  });

  it('per-prompt answerers: anyone, the starter, or a list of users and roles (allowed_users too); anything else falls back to the setting', () => {
    expect(describeInterrupt({ question: 'q', answerers: 'starter' }).answerers).toBe('starter');
    expect(describeInterrupt({ question: 'q', answerers: 'anyone' }).answerers).toBe('anyone');
    expect(describeInterrupt({ question: 'q', answerers: ['U1', 2] }).answerers).toEqual(['U1', '2']);
    expect(describeInterrupt({ question: 'q', allowed_users: ['U3'] }).answerers).toEqual(['U3']);
    expect(describeInterrupt({ question: 'q', answerers: 'everyone' }).answerers).toBeUndefined();
  });

  it('a plain string interrupt is shown as its text and answered with free text', () => {
    expect(describeInterrupt('What is the budget?')).toEqual({ kind: 'text', as_list: false, question: 'What is the budget?', options: [], allowFreeText: true });
    expect(describeInterrupt({ amount: 3 })).toEqual({ kind: 'text', as_list: false, question: '{\n  "amount": 3\n}', options: [], allowFreeText: true });
    expect(describeInterrupt(['a', 'b']).kind).toBe('text');
    const long = describeInterrupt('x'.repeat(5000)).question;
    expect(long).toBe(`${'x'.repeat(2800)}…`);
    expect(describeInterrupt({ question: 'y'.repeat(5000) }).question).toHaveLength(2800);
  });

  it("LangGraph's HumanInterrupt: buttons for what its config allows, its arguments shown, typed answers when respond or edit is allowed", () => {
    const value = { action_request: { action: 'send_email', args: { to: 'a@b.c' } }, config: { allow_accept: true, allow_ignore: true, allow_respond: false, allow_edit: true } };
    const described = describeInterrupt(value);
    expect(described).toEqual({
      kind: 'human_interrupt',
      as_list: false,
      action: 'send_email',
      human: { allow_respond: false, allow_edit: true },
      question: 'Review: **send_email**\n```\n{\n  "to": "a@b.c"\n}\n```',
      options: [
        { label: 'Accept', value: { type: 'accept', args: null }, style: 'primary' },
        {
          label: 'Edit',
          value: { form: 'human_edit', action: 'send_email', whole: false },
          form: { title: 'Edit send_email', submitLabel: 'Save', fields: [{ name: 'to', label: 'to', type: 'text', initial: 'a@b.c', required: false }] },
        },
        { label: 'Ignore', value: { type: 'ignore', args: null }, style: 'danger' },
      ],
      allowFreeText: true,
    });
    expect(describeInterrupt([{ ...value, description: 'Check this' }])).toMatchObject({ as_list: true, question: 'Check this\n```\n{\n  "to": "a@b.c"\n}\n```' });
    expect(describeInterrupt({ action_request: { action: 'noop' } })).toMatchObject({
      options: [],
      allowFreeText: false,
      question: 'Review: **noop**',
      human: { allow_respond: false, allow_edit: false },
    });
    expect(describeInterrupt({ action_request: { action: 'x' }, config: { allow_respond: true } }).allowFreeText).toBe(true);
    expect(describeInterrupt([value, value]).kind).toBe('text');
    expect(describeInterrupt({ action_request: { action: 5 } }).kind).toBe('text');
    expect(describeInterrupt({ action_request: null }).kind).toBe('text');
  });

  it("LangChain's review request: a decision is offered only when every action allows it, edits only for one action", () => {
    const review = {
      action_requests: [
        { name: 'pay', args: { amount: 5 } },
        { name: 'log', description: 'Write the log' },
      ],
      review_configs: [{ action_name: 'pay', allowed_decisions: ['approve', 'reject'] }],
    };
    const described = describeInterrupt(review);
    expect(described).toEqual({
      kind: 'review',
      as_list: false,
      action: 'pay',
      human: { allow_respond: true, allow_edit: false },
      question: 'Review: **pay**\n```\n{\n  "amount": 5\n}\n```\nWrite the log',
      options: [
        { label: 'Approve', value: { decisions: [{ type: 'approve' }, { type: 'approve' }] }, style: 'primary' },
        { label: 'Reject', value: { decisions: [{ type: 'reject' }, { type: 'reject' }] }, style: 'danger' },
      ],
      allowFreeText: true,
    });
    const editOnly = describeInterrupt({ action_requests: [{ name: 'pay' }], review_configs: [{ action_name: 'pay', allowed_decisions: ['edit'] }] });
    expect(editOnly).toMatchObject({ human: { allow_respond: false, allow_edit: true }, allowFreeText: true });
    expect(editOnly.options.map((option) => [option.label, option.value])).toEqual([['Edit', { form: 'review_edit', action: 'pay', whole: true }]]);
    const approveOnly = describeInterrupt({ action_requests: [{ name: 'pay' }], review_configs: [{ action_name: 'pay', allowed_decisions: ['approve'] }] });
    expect(approveOnly).toMatchObject({ human: { allow_respond: false, allow_edit: false }, allowFreeText: false });
    expect(describeInterrupt({ action_requests: [] }).kind).toBe('text');
    expect(describeInterrupt({ action_requests: [{ name: 3 }] }).kind).toBe('text');
    expect(describeInterrupt({ action_requests: 'pay' }).kind).toBe('text');
    expect(describeInterrupt({ action_requests: [{ name: 'pay' }, { name: 3 }] }).kind).toBe('text');
    expect(describeInterrupt(null)).toMatchObject({ kind: 'text', question: 'null' });
    // One action that may not be rejected takes Reject away from them all.
    const mixed = describeInterrupt({
      action_requests: [{ name: 'pay' }, { name: 'log' }],
      review_configs: [{ action_name: 'log', allowed_decisions: ['approve'] }],
    });
    expect(mixed.options.map((option) => option.label)).toEqual(['Approve']);
    expect(mixed.human).toEqual({ allow_respond: false, allow_edit: false });
  });
});

describe('prompts: who may answer', () => {
  it('anyone; the starter (anyone when no starter is known); or the listed users and roles only', () => {
    const anyone = recordOf({ question: 'q' });
    expect(mayAnswer(anyone, { id: 'U9' })).toBe(true);
    const starter = recordOf({ question: 'q' }, { answerers: 'starter', starter: 'U1' });
    expect(mayAnswer(starter, { id: 'U1' })).toBe(true);
    expect(mayAnswer(starter, { id: 'U2' })).toBe(false);
    expect(mayAnswer(recordOf({ question: 'q' }, { answerers: 'starter' }), { id: 'U2' })).toBe(true);
    const listed = recordOf({ question: 'q', answerers: ['U1', 'role:lead'] });
    expect(mayAnswer(listed, { id: 'U1' })).toBe(true);
    expect(mayAnswer(listed, { id: 'U2', roles: ['role:dev', 'role:lead'] })).toBe(true);
    expect(mayAnswer(listed, { id: 'U2', roles: ['role:dev'] })).toBe(false);
    expect(mayAnswer(listed, { id: 'U2' })).toBe(false);
  });

  it('says who may answer in words', () => {
    expect(describeAnswerers(recordOf({ question: 'q' }))).toBe('anyone in this conversation');
    expect(describeAnswerers(recordOf({ question: 'q', answerers: 'starter' }))).toBe('the person who asked');
    expect(describeAnswerers(recordOf({ question: 'q', answerers: ['U1', 'U2'] }))).toBe('U1, U2');
  });
});

describe('prompts: the value a run resumes with', () => {
  it('a clicked option gives its value (in a list for a HumanInterrupt asked in one); an unknown option gives nothing', () => {
    const prompt = recordOf({ question: 'q', options: ['Yes', 'No'] });
    expect(resumeForOption(prompt, 1)).toEqual({ value: 'No', label: 'No' });
    expect(resumeForOption(prompt, 2)).toBeNull();
    const human = { action_request: { action: 'a' }, config: { allow_accept: true } };
    expect(resumeForOption(recordOf(human), 0)).toEqual({ value: { type: 'accept', args: null }, label: 'Accept' });
    expect(resumeForOption(recordOf([human]), 0)).toEqual({ value: [{ type: 'accept', args: null }], label: 'Accept' });
  });

  it('typed text answers a prompt or a plain question as itself, and is refused where only buttons count', () => {
    expect(resumeForText(recordOf('Budget?'), ' 5k ')).toEqual({ value: ' 5k ', label: ' 5k ' });
    expect(resumeForText(recordOf({ question: 'q', options: ['a'] }), 'b')).toEqual({ error: 'this question only takes one of its buttons' });
  });

  it('typed text to a HumanInterrupt: JSON is an edit when edits are allowed, else a response when responses are', () => {
    const both = recordOf({ action_request: { action: 'send' }, config: { allow_respond: true, allow_edit: true } });
    expect(resumeForText(both, ' {"to":"x"} ')).toEqual({ value: { type: 'edit', args: { action: 'send', args: { to: 'x' } } }, label: ' {"to":"x"} ' });
    expect(resumeForText(both, '{not json')).toEqual({ value: { type: 'response', args: '{not json' }, label: '{not json' });
    expect(resumeForText(both, 'looks fine')).toEqual({ value: { type: 'response', args: 'looks fine' }, label: 'looks fine' });
    const respondOnly = recordOf([{ action_request: { action: 'send' }, config: { allow_respond: true } }]);
    expect(resumeForText(respondOnly, '{"to":"x"}')).toEqual({ value: [{ type: 'response', args: '{"to":"x"}' }], label: '{"to":"x"}' });
    const editOnly = recordOf({ action_request: { action: 'send' }, config: { allow_edit: true } });
    expect(resumeForText(editOnly, 'words')).toEqual({ error: 'an edit must be the new arguments, as JSON' });
    expect(resumeForText(editOnly, '{bad')).toEqual({ error: 'an edit must be the new arguments, as JSON' });
    // A record stored without its rules (older data): responses allowed, edits not.
    expect(resumeForText({ ...both, human: undefined }, '{"a":1}')).toEqual({ value: { type: 'response', args: '{"a":1}' }, label: '{"a":1}' });
  });

  it('typed text to a review request: JSON edits the one action, other text rejects every action with it as the reason', () => {
    const review = recordOf({ action_requests: [{ name: 'pay' }] });
    expect(resumeForText(review, ' {"amount":1} ')).toEqual({
      value: { decisions: [{ type: 'edit', edited_action: { name: 'pay', args: { amount: 1 } } }] },
      label: 'edited: {"amount":1}',
    });
    expect(resumeForText(review, '{oops')).toEqual({ value: { decisions: [{ type: 'reject', message: '{oops' }] }, label: 'rejected: {oops' });
    const two = recordOf({ action_requests: [{ name: 'pay' }, { name: 'log' }] });
    expect(resumeForText(two, 'too much')).toEqual({
      value: {
        decisions: [
          { type: 'reject', message: 'too much' },
          { type: 'reject', message: 'too much' },
        ],
      },
      label: 'rejected: too much',
    });
    const editOnly = recordOf({ action_requests: [{ name: 'pay' }], review_configs: [{ action_name: 'pay', allowed_decisions: ['edit'] }] });
    expect(resumeForText(editOnly, 'no')).toEqual({ error: 'an edit must be the new arguments, as JSON' });
    // A review stored without its rules (older data): neither rejecting nor editing by text.
    expect(resumeForText({ ...review, human: undefined }, 'no')).toEqual({ error: 'an edit must be the new arguments, as JSON' });
    expect(resumeForText({ ...review, human: undefined }, '{"amount":2}')).toEqual({ error: 'an edit must be the new arguments, as JSON' });
    // Without buttons to count the actions by, one decision.
    expect(resumeForText({ ...editOnly, human: { allow_respond: true, allow_edit: false } }, 'no')).toEqual({
      value: { decisions: [{ type: 'reject', message: 'no' }] },
      label: 'rejected: no',
    });
  });
});

describe('prompts: the edges of each rule', () => {
  it("a review takes each action's own rules (not the first config's), and offers edits for two actions never", () => {
    const perAction = describeInterrupt({
      action_requests: [{ name: 'pay' }, { name: 'log' }],
      // The first config is not pay's: pay may be approved, log may not.
      review_configs: [
        { action_name: 'log', allowed_decisions: ['reject'] },
        { action_name: 'pay', allowed_decisions: ['approve', 'reject'] },
      ],
    });
    expect(perAction.options.map((option) => option.label)).toEqual(['Reject']);
    const firstConfigFits = describeInterrupt({
      action_requests: [{ name: 'pay' }, { name: 'log' }],
      review_configs: [
        { action_name: 'pay', allowed_decisions: ['approve', 'reject'] },
        { action_name: 'log', allowed_decisions: ['reject'] },
      ],
    });
    expect(firstConfigFits.options.map((option) => option.label)).toEqual(['Reject']);
    // Both actions allow edits (no configs), but one typed JSON cannot be the new arguments of two.
    expect(describeInterrupt({ action_requests: [{ name: 'pay' }, { name: 'log' }] }).human).toEqual({ allow_respond: true, allow_edit: false });
  });

  it('a question is cut at 2,800 characters whatever its shape; a text of exactly 2,800 is shown whole', () => {
    const args = 'a'.repeat(2000);
    const review = describeInterrupt({
      action_requests: [
        { name: 'one', args },
        { name: 'two', args },
      ],
    });
    expect(review.question).toHaveLength(2800);
    expect(review.question.startsWith('Review: **one**')).toBe(true);
    const human = describeInterrupt({ action_request: { action: 'send', args: 'b'.repeat(2790) }, description: 'Please check' });
    expect(human.question).toHaveLength(2800);
    expect(human.question.startsWith('Please check\n```\nbbb')).toBe(true);
    expect(describeInterrupt('c'.repeat(2800)).question).toBe('c'.repeat(2800));
  });

  it('typed JSON that is not an object (a number, a list) is a response or a reason, never an edit', () => {
    const both = recordOf({ action_request: { action: 'send' }, config: { allow_respond: true, allow_edit: true } });
    expect(resumeForText(both, '42')).toEqual({ value: { type: 'response', args: '42' }, label: '42' });
    expect(resumeForText(both, '[1]')).toEqual({ value: { type: 'response', args: '[1]' }, label: '[1]' });
    const review = recordOf({ action_requests: [{ name: 'pay' }] });
    expect(resumeForText(review, '42')).toEqual({ value: { decisions: [{ type: 'reject', message: '42' }] }, label: 'rejected: 42' });
  });
});
