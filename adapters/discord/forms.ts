import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type APIModalInteractionResponseCallbackData,
  type ButtonInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import { asOneJsonField, MAX_FIELD_CHARS } from '../../src/chat/forms.ts';
import { parsePromptActionId, promptActionId } from '../../src/chat/prompt-action.ts';
import type { ChatHost, ChatUser, FieldError, FormField, FormSpec, Place } from '../../src/chat/types.ts';

/** Discord's limits for modals: 5 top-level components, labels of 45, descriptions of 100, 25 options in a select. */
const LIMITS = { inputs: 5, title: 45, label: 45, description: 100, options: 25, value: 4000, optionText: 100, content: 2000 };
const MODAL_PREFIX = 'sb_modal';

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A modal's custom_id: the prompt, the option, and whether the form came as one JSON input. */
const modalId = (promptId: string, index: number, asJson: boolean) => `${MODAL_PREFIX}:${promptId}:${index}${asJson ? ':j' : ''}`;

function parseModalId(customId: string): { promptId: string; optionIndex: number; asJson: boolean } | null {
  const match = /^sb_modal:([0-9a-f-]{36}):(\d+)(:j)?$/.exec(customId);
  return match ? { promptId: match[1]!, optionIndex: Number(match[2]), asJson: Boolean(match[3]) } : null;
}

/**
 * One field as a Label component (Discord's current modals): a text input, or a string select
 * when its choices fit in one (25); a longer list becomes a text input that names them (the
 * answer is checked against them all the same). A label over 45 characters continues in the description.
 */
function labelled(field: FormField, index: number) {
  const customId = `f${index}`;
  const choices = field.options ?? [];
  const label = clip(field.label, LIMITS.label);
  const long = field.label.length > LIMITS.label ? clip(field.label, LIMITS.description) : undefined;
  if (field.type === 'select' && choices.length <= LIMITS.options) {
    return {
      type: ComponentType.Label as const,
      label,
      ...(long ? { description: long } : {}),
      component: {
        type: ComponentType.StringSelect as const,
        custom_id: customId,
        required: field.required !== false,
        min_values: field.required === false ? 0 : 1,
        max_values: 1,
        options: choices.map((option) => ({ label: clip(option.label, LIMITS.optionText), value: option.value, ...(option.value === field.initial ? { default: true } : {}) })),
      },
    };
  }
  const hint =
    field.type === 'select'
      ? clip(`One of: ${choices.map((option) => option.value).join(', ')}`, LIMITS.description)
      : field.json
        ? 'JSON: a number, true / false, "text", [..] or {..}'
        : long;
  return {
    type: ComponentType.Label as const,
    label,
    ...(hint ? { description: hint } : {}),
    component: {
      type: ComponentType.TextInput as const,
      custom_id: customId,
      style: field.type === 'textarea' ? TextInputStyle.Paragraph : TextInputStyle.Short,
      required: field.required !== false,
      max_length: MAX_FIELD_CHARS,
      ...(field.initial ? { value: field.initial.slice(0, MAX_FIELD_CHARS) } : {}),
    },
  };
}

/** A form as a Discord modal; a form of more than 5 fields becomes one JSON input of all the answers. */
export function formModal(spec: FormSpec, promptId: string, optionIndex: number, typedJson?: string): APIModalInteractionResponseCallbackData {
  const asJson = spec.fields.length > LIMITS.inputs;
  const form = asJson ? asOneJsonField(spec, LIMITS.inputs, typedJson) : spec;
  // What the form answers goes above its fields when a slot of the five is left for it.
  const intro = form.intro && form.fields.length < LIMITS.inputs ? [{ type: ComponentType.TextDisplay, content: clip(form.intro, LIMITS.value) }] : [];
  return {
    custom_id: modalId(promptId, optionIndex, asJson),
    title: clip(form.title, LIMITS.title),
    components: [...intro, ...form.fields.map(labelled)] as never,
  };
}

/** A modal cannot show errors in place: they are listed privately, with a button that reopens the form as it was typed. */
function errorsMessage(errors: FieldError[], promptId: string, optionIndex: number) {
  const lines = errors.map((error) => `• **${error.label}**: ${error.message}`);
  return {
    content: clip(`That form needs another look:\n${lines.join('\n')}`, LIMITS.content),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Fix the form', custom_id: promptActionId(promptId, optionIndex, true) }],
      },
    ],
    flags: MessageFlags.Ephemeral as const,
  };
}

export interface DiscordFormDeps {
  chat: () => ChatHost | undefined;
  placeOf: (interaction: ButtonInteraction | ModalSubmitInteraction) => Place | undefined;
  userOf: (interaction: ButtonInteraction | ModalSubmitInteraction) => ChatUser;
  log: Logger;
}

/**
 * Forms on Discord: a click on a form button is answered with the modal itself (a modal
 * cannot follow a defer, and must come within 3 s), after one read of the prompt; the
 * MODAL_SUBMIT is checked at once: errors come back privately with a button that reopens
 * the form as typed, a refusal privately, an accepted form acknowledges the click's message
 * (the prompt is then edited to show who answered) and resumes the run.
 */
export function discordForms(deps: DiscordFormDeps) {
  const ephemeral = (content: string) => ({ content: clip(content, LIMITS.content), flags: MessageFlags.Ephemeral as const, allowedMentions: { parse: [] } });
  return {
    isFormButton: (customId: string) => parsePromptActionId(customId)?.opensForm === true,
    isFormModal: (customId: string) => parseModalId(customId) !== null,

    async openForm(interaction: ButtonInteraction): Promise<void> {
      const parsed = parsePromptActionId(interaction.customId);
      const chat = deps.chat();
      const place = deps.placeOf(interaction);
      if (!parsed || !place) return;
      if (!chat) return void (await interaction.reply(ephemeral('Switchboard is starting; try again in a moment.')));
      const opening = await chat.openForm({ place, user: deps.userOf(interaction), promptId: parsed.promptId, optionIndex: parsed.optionIndex });
      if ('refused' in opening) return void (await interaction.reply(ephemeral(opening.refused)));
      await interaction.showModal(formModal(opening.form, parsed.promptId, parsed.optionIndex, opening.typedJson));
    },

    async submit(interaction: ModalSubmitInteraction): Promise<void> {
      const parsed = parseModalId(interaction.customId);
      const chat = deps.chat();
      const place = deps.placeOf(interaction);
      if (!parsed || !place) return;
      if (!chat) return void (await interaction.reply(ephemeral('Switchboard is restarting; your answer was not taken. Try again in a moment.')));
      const values: Array<string | undefined> = [];
      for (const [customId, field] of interaction.fields.fields) {
        const index = /^f(\d+)$/.exec(customId);
        if (!index) continue;
        values[Number(index[1])] = 'values' in field ? field.values?.[0] : 'value' in field ? String(field.value ?? '') : undefined;
      }
      const verdict = await chat.submitForm({
        place,
        user: deps.userOf(interaction),
        promptId: parsed.promptId,
        optionIndex: parsed.optionIndex,
        values: parsed.asJson ? [] : values,
        ...(parsed.asJson ? { asJson: values[0] ?? '' } : {}),
        replyPrivately: async (markdown) => void (await interaction.followUp(ephemeral(markdown))),
      });
      if (verdict.status === 'invalid') return void (await interaction.reply(errorsMessage(verdict.errors, parsed.promptId, parsed.optionIndex)));
      if (verdict.status === 'refused') return void (await interaction.reply(ephemeral(verdict.message)));
      // Acknowledged without a new message: the prompt's own message shows who answered once the run resumes.
      if (interaction.isFromMessage()) await interaction.deferUpdate();
      else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await verdict.done;
    },
  };
}
