import { describe, expect, it } from 'vitest';
import { formModal } from '../../adapters/discord/forms.ts';
import type { FormSpec } from '../../src/chat/types.ts';
import { checkCallback, modalProblems } from '../fakes/discord-modals.ts';
import type { Interaction } from '../fakes/discord-wire.ts';

const text = (customId: string, label = 'Text') => ({ type: 18, label, component: { type: 4, custom_id: customId, style: 1 } });
const modal = (components: unknown[], extra: Record<string, unknown> = {}) => ({ custom_id: 'm', title: 'Edit', components, ...extra });
const interaction = (o: Partial<Interaction> = {}): Interaction => ({ id: '1', token: 't', type: 3, createdAt: Date.now(), callbacks: [], original: null, followups: [], ...o });

describe("the fake Discord's modals are as strict as Discord", () => {
  it('answers an interaction once; a modal only to a command or a click, within 3 s', () => {
    const data = modal([text('a')]);
    expect(checkCallback(interaction(), { type: 9, data }, Date.now())).toBeUndefined();
    expect(checkCallback(interaction({ callbacks: [{ type: 6 }] }), { type: 9, data }, Date.now())).toEqual([
      400,
      { message: 'Interaction has already been acknowledged.', code: 40060 },
    ]);
    expect(checkCallback(interaction({ createdAt: Date.now() - 3100 }), { type: 9, data }, Date.now())).toEqual([404, { message: 'Unknown interaction', code: 10062 }]);
    expect(checkCallback(interaction({ type: 5 }), { type: 9, data }, Date.now())?.[0]).toBe(400);
  });

  it('refuses the modals Discord refuses: more than 5 components, long titles and labels, duplicate ids, labelled inputs inside labels, selects of more than 25', () => {
    expect(modalProblems(modal([text('a')]))).toEqual([]);
    expect(modalProblems(modal([1, 2, 3, 4, 5, 6].map((n) => text(`f${n}`))))).toEqual([['data.components', 'Must be between 1 and 5 in length.']]);
    expect(modalProblems(modal([text('a')], { title: 'x'.repeat(46) }))).toEqual([['data.title', 'Must be between 1 and 45 in length.']]);
    expect(modalProblems(modal([text('a', 'y'.repeat(46))]))).toEqual([['data.components.0.label', 'Must be between 1 and 45 in length.']]);
    expect(modalProblems(modal([text('a'), text('a')]))).toEqual([['data.components.1.component.custom_id', 'Component custom id cannot be duplicated.']]);
    expect(modalProblems(modal([{ type: 18, label: 'L', component: { type: 4, custom_id: 'a', style: 1, label: 'L' } }]))).toEqual([
      ['data.components.0.component.label', 'A text input inside a label has no label of its own.'],
    ]);
    const options = Array.from({ length: 26 }, (_, index) => ({ label: `o${index}`, value: `v${index}` }));
    expect(modalProblems(modal([{ type: 18, label: 'L', component: { type: 3, custom_id: 'a', options } }]))).toEqual([
      ['data.components.0.component.options', 'Must be between 1 and 25 in length.'],
    ]);
  });

  it("the adapter's modals pass it whatever the form: long titles and labels, a select of 60 (a text input then), and 8 fields (one JSON input then)", () => {
    const long = 'x'.repeat(5000);
    const select = {
      name: 's',
      label: 'Pick',
      type: 'select' as const,
      options: Array.from({ length: 60 }, (_, index) => ({ label: `${'o'.repeat(120)}${index}`, value: `v${index}` })),
    };
    const small = { name: 'c', label: 'Choose', type: 'select' as const, options: [{ label: 'A', value: 'a' }], initial: 'a' };
    const fields = (count: number): FormSpec['fields'] =>
      Array.from({ length: count }, (_, index) => ({ name: `f${index}`, label: `${long}${index}`, type: 'textarea', initial: long }));
    const id = '00000000-0000-0000-0000-000000000000';
    const built = formModal({ title: 'A title far longer than Discord allows in a modal', submitLabel: 'Save', fields: [...fields(3), select, small] }, id, 0);
    expect(modalProblems(built as never)).toEqual([]);
    expect((built.components as Array<{ component: { type: number } }>).map((component) => component.component.type)).toEqual([4, 4, 4, 4, 3]);
    const folded = formModal({ title: 'Big', submitLabel: 'Send', fields: fields(8) }, id, 0);
    expect(modalProblems(folded as never)).toEqual([]);
    expect(folded.components).toHaveLength(1);
    expect(folded.custom_id).toBe(`sb_modal:${id}:0:j`);
  });
});
