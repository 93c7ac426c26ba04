/**
 * The fake Slack's modals, as strict as Slack: `views.open` takes only a trigger_id the fake
 * issued with an interaction, once, within 3 s (`expired_trigger_id`, `exchanged_trigger_id`,
 * `invalid_trigger_id` otherwise), and refuses a view Slack would refuse (`invalid_arguments`
 * with the offending JSON pointer: a title over 24 characters, more than 100 blocks, an input
 * without label or element, a block_id or action_id used twice, and so on). Tests fill an open
 * view in and get the `view_submission` payload Slack would post.
 */

/** Slack gives a trigger_id 3 seconds. */
export const TRIGGER_TTL_MS = 3000;

export interface OpenedView {
  id: string;
  triggerId: string;
  user: string;
  view: Record<string, unknown>;
  /** Date.now() and performance.now() when views.open arrived. */
  at: number;
  hr: number;
}

type Block = Record<string, unknown> & { type?: string; block_id?: string };
type Element = Record<string, unknown> & { type?: string; action_id?: string };
type PlainText = { type?: unknown; text?: unknown };

const ELEMENTS = new Set(['plain_text_input', 'static_select']);

export class FakeSlackViews {
  readonly opened: OpenedView[] = [];
  /** Issued trigger ids: who clicked, when, and whether a view was opened with it. */
  readonly #triggers = new Map<string, { user: string; issuedAt: number; used: boolean }>();
  #counter = 0;

  /** A trigger_id as Slack sends with a click or a command; `ageMs` makes one issued that long ago. */
  issueTrigger(user: string, ageMs = 0): string {
    const id = `${++this.#counter}.${Date.now()}.${Math.random().toString(16).slice(2, 10)}`;
    this.#triggers.set(id, { user, issuedAt: Date.now() - ageMs, used: false });
    return id;
  }

  /** views.open as Slack answers it. */
  open(args: Record<string, unknown>, at: number, hr: number): Record<string, unknown> {
    const triggerId = String(args.trigger_id ?? '');
    const trigger = this.#triggers.get(triggerId);
    if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (at - trigger.issuedAt > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    const view = typeof args.view === 'string' ? (JSON.parse(args.view) as Record<string, unknown>) : (args.view as Record<string, unknown> | undefined);
    const problems = view ? validateModal(view) : ['[ERROR] missing required field: view [json-pointer:/view]'];
    if (problems.length > 0) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } };
    trigger.used = true;
    const id = `V${String(this.opened.length + 1).padStart(8, '0')}`;
    this.opened.push({ id, triggerId, user: trigger.user, view: view!, at, hr });
    return { ok: true, view: { id, team_id: 'T1', app_id: 'A1', bot_id: 'BBOT', hash: `${id}.hash`, state: { values: {} }, ...view } };
  }

  view(id: string): OpenedView {
    const found = this.opened.find((opened) => opened.id === id);
    if (!found) throw new Error(`no view ${id}`);
    return found;
  }

  /** The input blocks of an opened view, with their labels. */
  inputs(id: string): Array<{ blockId: string; label: string; element: Element }> {
    return (this.view(id).view.blocks as Block[])
      .filter((block) => block.type === 'input')
      .map((block) => ({ blockId: String(block.block_id), label: String((block.label as PlainText).text), element: block.element as Element }));
  }

  /**
   * The form body of a `view_submission` for an opened view, as Slack posts it: every input's
   * state (what `fill` gives by label; else its initial value, as Slack keeps it), the view's
   * private_metadata and callback_id. A select is filled with an option's value or text.
   */
  submission(id: string, fill: Record<string, string>, user = this.view(id).user): string {
    return new URLSearchParams({ payload: JSON.stringify(this.submissionPayload(id, fill, user)) }).toString();
  }

  /** The `view_submission` payload itself (Socket Mode sends it in an `interactive` envelope). */
  submissionPayload(id: string, fill: Record<string, string>, user = this.view(id).user): Record<string, unknown> {
    const opened = this.view(id);
    const values: Record<string, Record<string, unknown>> = {};
    const labels = new Set(Object.keys(fill));
    for (const input of this.inputs(id)) {
      labels.delete(input.label);
      const given = fill[input.label];
      const actionId = String(input.element.action_id);
      if (input.element.type === 'static_select') {
        const options = input.element.options as Array<{ text: PlainText; value: string }>;
        const chosen =
          given === undefined ? (input.element.initial_option as { value: string } | undefined) : options.find((option) => option.value === given || option.text.text === given);
        if (given !== undefined && !chosen) throw new Error(`"${given}" is not an option of ${input.label}`);
        values[input.blockId] = { [actionId]: { type: 'static_select', selected_option: chosen ?? null } };
      } else {
        const value = given ?? (input.element.initial_value as string | undefined) ?? null;
        values[input.blockId] = { [actionId]: { type: 'plain_text_input', value } };
      }
    }
    if (labels.size > 0) throw new Error(`no inputs labelled ${[...labels].join(', ')}`);
    return {
      type: 'view_submission',
      team: { id: 'T1', domain: 'fake' },
      user: { id: user, username: user, name: user, team_id: 'T1' },
      api_app_id: 'A1',
      token: 'x',
      trigger_id: this.issueTrigger(user),
      view: { ...opened.view, id, team_id: 'T1', app_id: 'A1', bot_id: 'BBOT', hash: `${id}.hash`, state: { values } },
      response_urls: [],
      is_enterprise_install: false,
    };
  }
}

/** What Slack would refuse in a modal view, as its `[ERROR] ... [json-pointer:...]` messages. */
export function validateModal(view: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const error = (pointer: string, message: string) => problems.push(`[ERROR] ${message} [json-pointer:/view${pointer}]`);
  const plainText = (value: unknown, pointer: string, max: number, required = true) => {
    if (value === undefined) {
      if (required) error(pointer, 'missing required field: text');
      return;
    }
    const text = value as PlainText;
    if (text.type !== 'plain_text') error(`${pointer}/type`, 'must be plain_text');
    if (typeof text.text !== 'string' || text.text.length === 0) error(`${pointer}/text`, 'must be a non-empty string');
    else if (text.text.length > max) error(`${pointer}/text`, `must be less than ${max + 1} characters`);
  };
  if (view.type !== 'modal') error('/type', 'must be modal');
  plainText(view.title, '/title', 24);
  plainText(view.submit, '/submit', 24, false);
  plainText(view.close, '/close', 24, false);
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) error('/private_metadata', 'must be less than 3001 characters');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) error('/callback_id', 'must be less than 256 characters');
  const blocks = view.blocks;
  if (!Array.isArray(blocks)) {
    error('/blocks', 'missing required field: blocks');
    return problems;
  }
  if (blocks.length > 100) error('/blocks', 'no more than 100 items allowed');
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  let inputs = 0;
  for (const [index, block] of (blocks as Block[]).entries()) {
    const at = `/blocks/${index}`;
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== 'string' || block.block_id.length === 0 || block.block_id.length > 255) error(`${at}/block_id`, 'must be 1 to 255 characters');
      else if (blockIds.has(block.block_id)) error(`${at}/block_id`, `duplicate block_id ${block.block_id}`);
      else blockIds.add(block.block_id);
    }
    if (block.type === 'section' || block.type === 'context' || block.type === 'divider' || block.type === 'header') continue;
    if (block.type !== 'input') {
      error(`${at}/type`, `unsupported block type ${String(block.type)}`);
      continue;
    }
    inputs += 1;
    plainText(block.label, `${at}/label`, 2000);
    plainText(block.hint, `${at}/hint`, 2000, false);
    const element = block.element as Element | undefined;
    if (!element) {
      error(`${at}/element`, 'missing required field: element');
      continue;
    }
    if (!ELEMENTS.has(String(element.type))) {
      error(`${at}/element/type`, `unsupported element ${String(element.type)}`);
      continue;
    }
    if (typeof element.action_id !== 'string' || element.action_id.length === 0 || element.action_id.length > 255) error(`${at}/element/action_id`, 'must be 1 to 255 characters');
    else if (actionIds.has(`${block.block_id}/${element.action_id}`)) error(`${at}/element/action_id`, `duplicate action_id ${element.action_id}`);
    else actionIds.add(`${block.block_id}/${element.action_id}`);
    if (element.type === 'plain_text_input') {
      const max = element.max_length === undefined ? 3000 : Number(element.max_length);
      if (!(max >= 1 && max <= 3000)) error(`${at}/element/max_length`, 'must be between 1 and 3000');
      if (typeof element.initial_value === 'string' && element.initial_value.length > max) error(`${at}/element/initial_value`, `must be less than ${max + 1} characters`);
      plainText(element.placeholder, `${at}/element/placeholder`, 150, false);
      continue;
    }
    const options = element.options as Array<{ text?: PlainText; value?: unknown }> | undefined;
    if (!Array.isArray(options) || options.length === 0 || options.length > 100) {
      error(`${at}/element/options`, 'must hold 1 to 100 options');
      continue;
    }
    const values = new Set<string>();
    options.forEach((option, optionIndex) => {
      plainText(option.text, `${at}/element/options/${optionIndex}/text`, 75);
      if (typeof option.value !== 'string' || option.value.length === 0 || option.value.length > 150)
        error(`${at}/element/options/${optionIndex}/value`, 'must be 1 to 150 characters');
      else values.add(option.value);
    });
    const initial = element.initial_option as { value?: string } | undefined;
    if (initial && !values.has(String(initial.value))) error(`${at}/element/initial_option`, 'must match one of the options');
  }
  if (inputs > 0 && view.submit === undefined) error('/submit', 'a view with input blocks needs a submit button');
  return problems;
}
