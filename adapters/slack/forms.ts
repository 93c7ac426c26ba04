import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { asOneJsonField, MAX_FIELD_CHARS } from '../../src/chat/forms.ts';
import { FORM_ACTION_PREFIX, parsePromptActionId } from '../../src/chat/prompt-action.ts';
import type { ChatHost, FormField, FormSpec, Place } from '../../src/chat/types.ts';
import { toMrkdwn } from './mrkdwn.ts';

/** Block Kit's limits for modals (Slack's documentation). */
const LIMITS = { title: 24, button: 24, label: 2000, optionText: 75, blocks: 100, metadata: 3000 };
export const FORM_CALLBACK_ID = 'sb_form';

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: clip(text, max), emoji: true });

/** What a modal carries back to its submission (Slack's private_metadata): the prompt, the option, where it was asked. */
interface FormMetadata {
  p: string;
  i: number;
  w: string;
  c: string;
  t?: string | undefined;
  /** The form was shown as one JSON input (more fields than a modal holds). */
  j?: 1;
}

function inputBlock(field: FormField, index: number) {
  const element =
    field.type === 'select'
      ? {
          type: 'static_select',
          action_id: 'value',
          options: (field.options ?? []).map((option) => ({ text: plain(option.label, LIMITS.optionText), value: option.value })),
          ...(field.options?.some((option) => option.value === field.initial)
            ? {
                initial_option: ((option) => ({ text: plain(option.label, LIMITS.optionText), value: option.value }))(
                  field.options.find((option) => option.value === field.initial)!,
                ),
              }
            : {}),
        }
      : {
          type: 'plain_text_input',
          action_id: 'value',
          multiline: field.type === 'textarea',
          max_length: MAX_FIELD_CHARS,
          ...(field.initial ? { initial_value: field.initial.slice(0, MAX_FIELD_CHARS) } : {}),
        };
  return {
    type: 'input',
    // Inputs are named by position: field names are the graph's, of any length and alphabet.
    block_id: `f${index}`,
    label: plain(field.label, LIMITS.label),
    optional: field.required === false,
    ...(field.json ? { hint: plain('JSON: a number, true / false, "text", [..] or {..}', LIMITS.label) } : {}),
    element,
  };
}

/** A form as a Slack modal; a form of more inputs than a modal holds becomes one JSON input. */
export function formView(spec: FormSpec, metadata: Omit<FormMetadata, 'j'>, typedJson?: string) {
  // One block may go to the intro.
  const fits = spec.fields.length < LIMITS.blocks;
  const form = fits ? spec : asOneJsonField(spec, LIMITS.blocks - 1, typedJson);
  return {
    type: 'modal' as const,
    callback_id: FORM_CALLBACK_ID,
    private_metadata: JSON.stringify({ ...metadata, ...(fits ? {} : { j: 1 }) }),
    title: plain(form.title, LIMITS.title),
    submit: plain(form.submitLabel, LIMITS.button),
    close: plain('Cancel', LIMITS.button),
    blocks: [...(form.intro ? [{ type: 'section', block_id: 'intro', text: { type: 'mrkdwn', text: clip(toMrkdwn(form.intro), 3000) } }] : []), ...form.fields.map(inputBlock)],
  };
}

/** A modal that only says something (a refusal on submit): Slack shows it in place of the form. */
const noticeView = (title: string, text: string) => ({
  type: 'modal' as const,
  title: plain(title, LIMITS.title),
  close: plain('Close', LIMITS.button),
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } }],
});

type StateValues = Record<string, Record<string, { type: string; value?: string | null; selected_option?: { value: string } | null }>>;

/** The text of each input, by position (f0, f1, …), from view.state.values. */
function valuesOf(state: StateValues | undefined): Array<string | undefined> {
  const values: Array<string | undefined> = [];
  for (const [blockId, actions] of Object.entries(state ?? {})) {
    const index = /^f(\d+)$/.exec(blockId);
    const entry = actions.value;
    if (!index || !entry) continue;
    values[Number(index[1])] = entry.type === 'static_select' ? entry.selected_option?.value : (entry.value ?? undefined);
  }
  return values;
}

export interface SlackFormDeps {
  chat: () => ChatHost | undefined;
  /** The Web API client of a workspace (many workspaces: each its own token). */
  clientFor: (workspace: string) => Promise<WebClient>;
  nameOf: (workspace: string, userId: string) => Promise<string>;
  ephemeral: (place: Place, userId: string, markdown: string) => Promise<void>;
  log: Logger;
}

/**
 * Forms on Slack: a click on a form button opens a modal with `views.open` and the click's
 * trigger_id, right after the ack and one read of the prompt (the trigger lasts 3 s); the
 * `view_submission` is checked and acked within 3 s: field errors in place
 * (`response_action: errors`), a refusal in place of the form (`update`), or closed, with
 * the run resuming after.
 */
export function registerSlackForms(app: App, deps: SlackFormDeps): void {
  app.action(new RegExp(`^${FORM_ACTION_PREFIX}:`), async ({ ack, body, action }) => {
    await ack();
    const parsed = parsePromptActionId((action as { action_id: string }).action_id);
    const click = body as unknown as { user: { id: string }; team?: { id: string }; channel?: { id: string }; message?: { ts: string; thread_ts?: string }; trigger_id: string };
    const chat = deps.chat();
    if (!chat || !parsed || !click.channel) return;
    const place: Place = { platform: 'slack', workspace: click.team?.id ?? '', channel: click.channel.id, thread: click.message?.thread_ts ?? click.message?.ts };
    const user = { id: click.user.id };
    const opening = await chat.openForm({ place, user, promptId: parsed.promptId, optionIndex: parsed.optionIndex });
    if ('refused' in opening) return deps.ephemeral(place, user.id, opening.refused);
    const view = formView(opening.form, { p: parsed.promptId, i: parsed.optionIndex, w: place.workspace, c: place.channel, t: place.thread }, opening.typedJson);
    try {
      await (await deps.clientFor(place.workspace)).views.open({ trigger_id: click.trigger_id, view: view as never });
    } catch (error) {
      deps.log.warn({ err: error, promptId: parsed.promptId }, 'Slack did not open a form');
      const code = (error as { data?: { error?: string } }).data?.error;
      await deps.ephemeral(
        place,
        user.id,
        code === 'expired_trigger_id' ? 'The form took too long to open; click the button again.' : 'Sorry, the form could not be opened; click the button again.',
      );
    }
  });

  app.view(FORM_CALLBACK_ID, async ({ ack, body, view }) => {
    const chat = deps.chat();
    let metadata: FormMetadata;
    try {
      metadata = JSON.parse(view.private_metadata) as FormMetadata;
    } catch {
      return void (await ack({ response_action: 'update', view: noticeView('Form', 'This form is no longer available.') as never }));
    }
    if (!chat) return void (await ack({ response_action: 'update', view: noticeView('Form', 'Switchboard is restarting; try again in a moment.') as never }));
    const place: Place = { platform: 'slack', workspace: metadata.w, channel: metadata.c, thread: metadata.t };
    const values = valuesOf(view.state.values as unknown as StateValues);
    const userId = body.user.id;
    const verdict = await chat.submitForm({
      place,
      user: { id: userId, name: (await deps.nameOf(place.workspace, userId)) || body.user.name },
      promptId: metadata.p,
      optionIndex: metadata.i,
      values: metadata.j ? [] : values,
      ...(metadata.j ? { asJson: values[0] ?? '' } : {}),
      replyPrivately: (markdown) => deps.ephemeral(place, userId, markdown),
    });
    if (verdict.status === 'invalid') {
      // Each error goes under its input; an error of the whole form under the first.
      const errors = Object.fromEntries(verdict.errors.map((error) => [`f${metadata.j ? 0 : Math.max(0, error.index)}`, clip(error.message, 2000)]));
      return void (await ack({ response_action: 'errors', errors }));
    }
    if (verdict.status === 'refused') return void (await ack({ response_action: 'update', view: noticeView(view.title.text, verdict.message) as never }));
    await ack();
    await verdict.done;
  });
}
