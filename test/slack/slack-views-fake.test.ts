import { describe, expect, it } from 'vitest';
import { formView } from '../../adapters/slack/forms.ts';
import type { FormSpec } from '../../src/chat/types.ts';
import { FakeSlackViews, validateModal } from '../fakes/slack-views.ts';

const modal = (blocks: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Edit' },
  submit: { type: 'plain_text', text: 'Save' },
  blocks,
  ...extra,
});
const input = (blockId: string, label = 'Text') => ({
  type: 'input',
  block_id: blockId,
  label: { type: 'plain_text', text: label },
  element: { type: 'plain_text_input', action_id: 'value' },
});

describe("the fake Slack's views.open is as strict as Slack", () => {
  it('takes a trigger_id it issued, once, within 3 s', () => {
    const views = new FakeSlackViews();
    const view = modal([input('a')]);
    expect(views.open({ trigger_id: 'made-up', view }, Date.now(), 0)).toEqual({ ok: false, error: 'invalid_trigger_id' });
    const stale = views.issueTrigger('U1', 3001);
    expect(views.open({ trigger_id: stale, view }, Date.now(), 0)).toEqual({ ok: false, error: 'expired_trigger_id' });
    const fresh = views.issueTrigger('U1');
    expect(views.open({ trigger_id: fresh, view: JSON.stringify(view) }, Date.now(), 0)).toMatchObject({ ok: true, view: { id: 'V00000001' } });
    expect(views.open({ trigger_id: fresh, view }, Date.now(), 0)).toEqual({ ok: false, error: 'exchanged_trigger_id' });
  });

  it("refuses the views Slack refuses, naming where (and a refused view doesn't use up the trigger)", () => {
    expect(validateModal(modal([input('a')]))).toEqual([]);
    expect(validateModal(modal([input('a')], { title: { type: 'plain_text', text: 'x'.repeat(25) } }))).toEqual([
      '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
    ]);
    expect(validateModal(modal([input('a'), input('a')]))).toEqual([
      '[ERROR] duplicate block_id a [json-pointer:/view/blocks/1/block_id]',
      '[ERROR] duplicate action_id value [json-pointer:/view/blocks/1/element/action_id]',
    ]);
    expect(validateModal(modal([{ type: 'input', block_id: 'a', element: { type: 'plain_text_input', action_id: 'v' } }]))).toEqual([
      '[ERROR] missing required field: text [json-pointer:/view/blocks/0/label]',
    ]);
    expect(validateModal(modal([{ type: 'input', block_id: 'a', label: { type: 'plain_text', text: 'L' } }]))).toEqual([
      '[ERROR] missing required field: element [json-pointer:/view/blocks/0/element]',
    ]);
    expect(validateModal(modal(Array.from({ length: 101 }, (_, index) => input(`b${index}`))))).toContain('[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]');
    expect(validateModal(modal([input('a')], { submit: undefined }))).toEqual(['[ERROR] a view with input blocks needs a submit button [json-pointer:/view/submit]']);
    const select = {
      type: 'input',
      block_id: 's',
      label: { type: 'plain_text', text: 'S' },
      element: { type: 'static_select', action_id: 'v', options: [], initial_option: { value: 'x' } },
    };
    expect(validateModal(modal([select]))).toEqual(['[ERROR] must hold 1 to 100 options [json-pointer:/view/blocks/0/element/options]']);
    const views = new FakeSlackViews();
    const trigger = views.issueTrigger('U1');
    expect(views.open({ trigger_id: trigger, view: modal([input('a'), input('a')]) }, Date.now(), 0)).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(views.open({ trigger_id: trigger, view: modal([input('a')]) }, Date.now(), 0)).toMatchObject({ ok: true });
  });

  it("the adapter's modals pass it whatever the form: long titles and labels, long initial text, 60 options, and 120 fields (one JSON input then)", () => {
    const long = 'x'.repeat(5000);
    const fields = (count: number): FormSpec['fields'] =>
      Array.from({ length: count }, (_, index) => ({ name: `field ${index} with spaces`, label: `${long}${index}`, type: 'textarea', initial: long }));
    const select = {
      name: 's',
      label: 'Pick',
      type: 'select' as const,
      options: Array.from({ length: 60 }, (_, index) => ({ label: `${'o'.repeat(90)}${index}`, value: `v${index}` })),
      initial: 'v7',
    };
    const meta = { p: '00000000-0000-0000-0000-000000000000', i: 0, w: 'T1', c: 'C1', t: '1.2' };
    const many = formView({ title: 'A title far longer than Slack allows', submitLabel: 'A submit label far too long', fields: [...fields(20), select] }, meta);
    expect(validateModal(many)).toEqual([]);
    const folded = formView({ title: 'Big', submitLabel: 'Send', fields: fields(120) }, meta);
    expect(validateModal(folded)).toEqual([]);
    expect(folded.blocks).toHaveLength(1);
    expect(JSON.parse(folded.private_metadata)).toMatchObject({ j: 1 });
  });
});
