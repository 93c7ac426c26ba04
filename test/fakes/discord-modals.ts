import type { Interaction } from './discord-wire.ts';

/**
 * The fake Discord's modals, as strict as Discord: an interaction is answered once (40060
 * after), a modal (callback type 9) only to a command or a component click, not to a modal
 * submit, not after a defer, and within 3 s of the interaction (10062 after); the modal is
 * checked as Discord checks it (title 1-45, custom_id 1-100, 1 to 5 top-level components,
 * labels 1-45, text inputs of style 1 or 2 with values up to 4,000, string selects of 1 to 25
 * options, custom_ids unique). Tests fill a shown modal in and get the MODAL_SUBMIT
 * interaction Discord would send.
 */

/** An interaction's token is good for its first answer for 3 seconds. */
export const INTERACTION_RESPONSE_MS = 3000;

type Component = Record<string, unknown> & { type?: number; custom_id?: string };

/** Discord's form-body error for a modal, or the refusal of the callback itself; undefined when it is accepted. */
export function checkCallback(interaction: Interaction, body: Record<string, unknown>, now: number): [number, unknown] | undefined {
  if (interaction.callbacks.length > 0) return [400, { message: 'Interaction has already been acknowledged.', code: 40060 }];
  if (body.type !== 9) return undefined;
  if (interaction.createdAt !== undefined && now - interaction.createdAt > INTERACTION_RESPONSE_MS) return [404, { message: 'Unknown interaction', code: 10062 }];
  if (interaction.type !== 2 && interaction.type !== 3) return [400, { message: 'Interaction has no modal response for this interaction type', code: 50035 }];
  const problems = modalProblems((body.data ?? {}) as Record<string, unknown>);
  return problems.length > 0 ? [400, { message: 'Invalid Form Body', code: 50035, errors: Object.fromEntries(problems) }] : undefined;
}

/** What Discord would refuse in a modal, by path. */
export function modalProblems(modal: Record<string, unknown>): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const text = (value: unknown, path: string, min: number, max: number) => {
    if (typeof value !== 'string' || value.length < min || value.length > max) problems.push([path, `Must be between ${min} and ${max} in length.`]);
  };
  text(modal.title, 'data.title', 1, 45);
  text(modal.custom_id, 'data.custom_id', 1, 100);
  const components = modal.components as Component[] | undefined;
  if (!Array.isArray(components) || components.length < 1 || components.length > 5) {
    problems.push(['data.components', 'Must be between 1 and 5 in length.']);
    return problems;
  }
  const ids = new Set<string>();
  const check = (component: Component, index: number): void => {
    const path = `data.components.${index}`;
    let input: Component | undefined;
    if (component.type === 18) {
      text(component.label, `${path}.label`, 1, 45);
      if (component.description !== undefined) text(component.description, `${path}.description`, 1, 100);
      input = component.component as Component | undefined;
    } else if (component.type === 1) {
      // A classic action row holds one text input, which carries its own label.
      const inner = component.components as Component[] | undefined;
      if (!Array.isArray(inner) || inner.length !== 1 || inner[0]!.type !== 4) {
        problems.push([`${path}.components`, 'An action row in a modal holds one text input.']);
        return;
      }
      input = inner[0];
      text(input!.label, `${path}.components.0.label`, 1, 45);
    } else if (component.type === 10) {
      text(component.content, `${path}.content`, 1, 4000);
      return;
    } else {
      problems.push([`${path}.type`, `Component type ${String(component.type)} is not allowed in a modal.`]);
      return;
    }
    if (!input) {
      problems.push([`${path}.component`, 'This field is required.']);
      return;
    }
    const inputPath = component.type === 18 ? `${path}.component` : `${path}.components.0`;
    text(input.custom_id, `${inputPath}.custom_id`, 1, 100);
    if (typeof input.custom_id === 'string') {
      if (ids.has(input.custom_id)) problems.push([`${inputPath}.custom_id`, 'Component custom id cannot be duplicated.']);
      ids.add(input.custom_id);
    }
    if (input.type === 4) {
      if (component.type === 18 && input.label !== undefined) problems.push([`${inputPath}.label`, 'A text input inside a label has no label of its own.']);
      if (input.style !== 1 && input.style !== 2) problems.push([`${inputPath}.style`, 'Value must be one of (1, 2).']);
      if (input.value !== undefined) text(input.value, `${inputPath}.value`, 0, Number(input.max_length ?? 4000));
      if (input.max_length !== undefined && !(Number(input.max_length) >= 1 && Number(input.max_length) <= 4000))
        problems.push([`${inputPath}.max_length`, 'Must be between 1 and 4000.']);
      if (input.placeholder !== undefined) text(input.placeholder, `${inputPath}.placeholder`, 0, 100);
    } else if (input.type === 3 && component.type === 18) {
      const options = input.options as Array<{ label?: unknown; value?: unknown }> | undefined;
      if (!Array.isArray(options) || options.length < 1 || options.length > 25) problems.push([`${inputPath}.options`, 'Must be between 1 and 25 in length.']);
      else
        options.forEach((option, optionIndex) => {
          text(option.label, `${inputPath}.options.${optionIndex}.label`, 1, 100);
          text(option.value, `${inputPath}.options.${optionIndex}.value`, 1, 100);
        });
    } else {
      problems.push([`${inputPath}.type`, `Component type ${String(input.type)} is not allowed here.`]);
    }
  };
  for (const [index, component] of components.entries()) check(component, index);
  return problems;
}

/** The inputs of a shown modal: label, custom_id, and the input itself. */
export function modalInputs(modal: Record<string, unknown>): Array<{ label: string; customId: string; input: Component }> {
  return (modal.components as Component[]).flatMap((component) => {
    if (component.type === 18) {
      const input = component.component as Component;
      return [{ label: String(component.label), customId: String(input.custom_id), input }];
    }
    if (component.type === 1) {
      const input = (component.components as Component[])[0]!;
      return [{ label: String(input.label), customId: String(input.custom_id), input }];
    }
    return [];
  });
}

/**
 * The `data` of a MODAL_SUBMIT for a shown modal, as Discord sends it: every input's value
 * (what `fill` gives by label; else the value it was shown with, as the client keeps it),
 * inside the same top-level components. A select is filled with an option's value or label.
 */
export function modalSubmitData(modal: Record<string, unknown>, fill: Record<string, string>): Record<string, unknown> {
  const labels = new Set(Object.keys(fill));
  let id = 0;
  const components = (modal.components as Component[]).map((component) => {
    if (component.type === 10) return { type: 10, id: ++id };
    const wrapped = component.type === 18;
    const input = (wrapped ? component.component : (component.components as Component[])[0]) as Component;
    const label = String(wrapped ? component.label : input.label);
    labels.delete(label);
    const given = fill[label];
    let answer: Record<string, unknown>;
    if (input.type === 3) {
      const options = input.options as Array<{ label: string; value: string; default?: boolean }>;
      const chosen = given === undefined ? options.find((option) => option.default) : options.find((option) => option.value === given || option.label === given);
      if (given !== undefined && !chosen) throw new Error(`"${given}" is not an option of ${label}`);
      answer = { type: 3, id: ++id, custom_id: input.custom_id, values: chosen ? [chosen.value] : [] };
    } else {
      answer = { type: 4, id: ++id, custom_id: input.custom_id, value: given ?? (input.value as string | undefined) ?? '' };
    }
    return wrapped ? { type: 18, id: ++id, component: answer } : { type: 1, id: ++id, components: [answer] };
  });
  if (labels.size > 0) throw new Error(`no inputs labelled ${[...labels].join(', ')}`);
  return { custom_id: modal.custom_id, components };
}
