import type { PromptView } from '../../src/chat/types.ts';
import { toMrkdwn } from './mrkdwn.ts';

/** Block Kit's limits (Slack's documentation). */
const LIMITS = { sectionText: 3000, buttonLabel: 75, buttonsPerActions: 25 };

export const PROMPT_ACTION_PREFIX = 'sb_prompt';

/** A button's action id carries only the prompt id and the option's position; the rest stays server-side. */
export const promptActionId = (promptId: string, index: number) => `${PROMPT_ACTION_PREFIX}:${promptId}:${index}`;

export function parsePromptActionId(actionId: string): { promptId: string; optionIndex: number } | null {
  const match = /^sb_prompt:([0-9a-f-]{36}):(\d+)$/.exec(actionId);
  return match ? { promptId: match[1]!, optionIndex: Number(match[2]) } : null;
}

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
        action_id: promptActionId(prompt.promptId, index),
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
