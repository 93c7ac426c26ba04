import { feedbackActionId } from '../../src/chat/feedback.ts';
import { splitMessage } from '../../src/chat/split.ts';
import type { FeedbackTarget } from '../../src/chat/types.ts';

/** A section block's text is at most 3,000 characters (Block Kit). */
const SECTION_CHARS = 3000;

/** The values the two buttons send back (`block_actions` → `actions[0].value`). */
export const FEEDBACK_VALUES = { positive: 'positive', negative: 'negative' } as const;

/**
 * Slack's feedback buttons: a `context_actions` block holding one `feedback_buttons` element,
 * whose action_id names the run the answer came from.
 */
export function feedbackBlock(target: FeedbackTarget): Record<string, unknown> {
  return {
    type: 'context_actions',
    block_id: `feedback_${target.runId}`,
    elements: [
      {
        type: 'feedback_buttons',
        action_id: feedbackActionId(target),
        positive_button: { text: { type: 'plain_text', text: '👍' }, value: FEEDBACK_VALUES.positive, accessibility_label: 'Good answer' },
        negative_button: { text: { type: 'plain_text', text: '👎' }, value: FEEDBACK_VALUES.negative, accessibility_label: 'Bad answer' },
      },
    ],
  };
}

/**
 * A final answer as blocks: with blocks, Slack shows them and not `text` (which stays the
 * notification's fallback), so the answer's mrkdwn goes in sections (at most 3,000
 * characters each, split where the text allows), then the feedback buttons.
 */
export function answerBlocks(mrkdwn: string, target: FeedbackTarget): unknown[] {
  const sections = mrkdwn.trim() === '' ? [] : splitMessage(mrkdwn, SECTION_CHARS).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  return [...sections, feedbackBlock(target)];
}
