import type { PromptView } from '../../src/chat/types.ts';
import { promptActionId } from '../../src/chat/prompt-action.ts';
import { toMrkdwn } from './mrkdwn.ts';

/** Block Kit's limits (Slack's documentation). */
const LIMITS = { sectionText: 3000, buttonLabel: 75, buttonsPerActions: 25 };

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * A prompt as Block Kit: the question, one button per option (a primary / danger style
 * where the graph asked for it), and a note when a typed answer counts. Once answered,
 * the buttons give way to who chose what.
 */
export function promptBlocks(prompt: PromptView): unknown[] {
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(toMrkdwn(prompt.question), LIMITS.sectionText) } }];
  if (prompt.answered) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `✅ *${prompt.answered.by}* chose *${toMrkdwn(prompt.answered.choice)}*` }] });
    return blocks;
  }
  if (prompt.options.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: `prompt_${prompt.promptId}`,
      elements: prompt.options.slice(0, LIMITS.buttonsPerActions).map((option, index) => ({
        type: 'button',
        // A button that opens a form says so in its id: the click opens a modal rather than answering.
        action_id: promptActionId(prompt.promptId, index, Boolean(option.form)),
        text: { type: 'plain_text', text: clip(option.label, LIMITS.buttonLabel), emoji: true },
        value: String(index),
        ...(option.style ? { style: option.style } : {}),
      })),
    });
  }
  if (prompt.allowFreeText) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Or reply in this thread to answer in your own words.' }] });
  }
  return blocks;
}
