import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId } from 'discord.js';
import { feedbackActionId } from '../../src/chat/feedback.ts';
import { promptActionId } from '../../src/chat/prompt-action.ts';
import type { FeedbackTarget, OutgoingMessage, PromptView } from '../../src/chat/types.ts';

/** Discord's limits on message components. */
const LIMITS = { rows: 5, buttonsPerRow: 5, label: 80, content: 2000 };

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * A prompt as a Discord message: the question, and its options as buttons in action rows
 * (at most 5 x 5; each custom_id holds only the prompt id and the option's position). Once
 * answered, the buttons give way to who chose what.
 */
export function promptMessage(prompt: PromptView): { content: string; components: Array<APIActionRowComponent<APIButtonComponentWithCustomId>> } {
  if (prompt.answered) {
    return { content: clip(`${prompt.question}\n\n✅ **${prompt.answered.by}** chose **${prompt.answered.choice}**`, LIMITS.content), components: [] };
  }
  const note = prompt.allowFreeText ? '\n\n_Or reply here to answer in your own words._' : '';
  const buttons: APIButtonComponentWithCustomId[] = prompt.options.slice(0, LIMITS.rows * LIMITS.buttonsPerRow).map((option, index) => ({
    type: ComponentType.Button,
    // A button that opens a form says so in its id: its click is answered with a modal, not a defer.
    custom_id: promptActionId(prompt.promptId, index, Boolean(option.form)),
    label: clip(option.label, LIMITS.label),
    style: option.style === 'primary' ? ButtonStyle.Primary : option.style === 'danger' ? ButtonStyle.Danger : ButtonStyle.Secondary,
  }));
  const rows: Array<APIActionRowComponent<APIButtonComponentWithCustomId>> = [];
  for (let start = 0; start < buttons.length; start += LIMITS.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(start, start + LIMITS.buttonsPerRow) });
  }
  return { content: clip(`${prompt.question}${note}`, LIMITS.content), components: rows };
}

/** 👍/👎 under a final answer: one button per vote, each custom_id naming the vote and the run. */
export function feedbackRow(target: FeedbackTarget): APIActionRowComponent<APIButtonComponentWithCustomId> {
  const button = (vote: 'up' | 'down', emoji: string): APIButtonComponentWithCustomId => ({
    type: ComponentType.Button,
    custom_id: feedbackActionId(target, vote),
    emoji: { name: emoji },
    style: ButtonStyle.Secondary,
  });
  return { type: ComponentType.ActionRow, components: [button('up', '👍'), button('down', '👎')] };
}

/** What a chat message becomes on Discord: Markdown as it is (Discord speaks it), or a prompt; a final answer with 👍/👎. */
export function render(message: OutgoingMessage) {
  if (message.prompt) return promptMessage(message.prompt);
  return { content: message.markdown || '\u200b', components: message.feedback ? [feedbackRow(message.feedback)] : [] };
}
