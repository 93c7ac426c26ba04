/**
 * Block Kit as Slack checks it on chat.postMessage, chat.update and chat.stopStream, for the
 * blocks Switchboard sends: at most 50 blocks; a section's text at most 3,000 characters; an
 * actions block at most 25 elements; a context_actions block 1 to 5 elements, each a
 * `feedback_buttons` (both buttons, each with plain_text `text` of at most 75 characters and a
 * string `value` of at most 2,000) or an `icon_button`; action_id and block_id at most 255.
 * What breaks a rule is answered as Slack does: `invalid_blocks`, with the reasons.
 */
export function blockProblems(blocks: unknown): string[] {
  if (blocks === undefined) return [];
  const list = typeof blocks === 'string' ? safeParse(blocks) : blocks;
  if (!Array.isArray(list)) return ['blocks must be an array'];
  const problems: string[] = [];
  if (list.length > 50) problems.push(`at most 50 blocks, got ${list.length}`);
  for (const [index, block] of list.entries()) {
    const at = `blocks[${index}]`;
    if (!isObject(block) || typeof block.type !== 'string') {
      problems.push(`${at}: a block needs a type`);
      continue;
    }
    if (block.block_id !== undefined && (typeof block.block_id !== 'string' || block.block_id.length > 255)) problems.push(`${at}.block_id: at most 255 characters`);
    switch (block.type) {
      case 'section': {
        const text = isObject(block.text) ? block.text.text : undefined;
        if (typeof text !== 'string' || text.length === 0) problems.push(`${at}.text: required`);
        else if (text.length > 3000) problems.push(`${at}.text: at most 3000 characters, got ${text.length}`);
        break;
      }
      case 'actions':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25) problems.push(`${at}.elements: 1 to 25 elements`);
        break;
      case 'context_actions':
        problems.push(...contextActionsProblems(block, at));
        break;
      default:
        break;
    }
  }
  return problems;
}

function contextActionsProblems(block: Record<string, unknown>, at: string): string[] {
  const elements = block.elements;
  if (!Array.isArray(elements) || elements.length === 0 || elements.length > 5) return [`${at}.elements: 1 to 5 elements`];
  const problems: string[] = [];
  for (const [index, element] of elements.entries()) {
    const where = `${at}.elements[${index}]`;
    if (!isObject(element)) {
      problems.push(`${where}: an element is an object`);
      continue;
    }
    if (element.action_id !== undefined && (typeof element.action_id !== 'string' || element.action_id.length > 255)) problems.push(`${where}.action_id: at most 255 characters`);
    if (element.type === 'icon_button') continue;
    if (element.type !== 'feedback_buttons') {
      problems.push(`${where}.type: feedback_buttons or icon_button, got ${String(element.type)}`);
      continue;
    }
    for (const side of ['positive_button', 'negative_button'] as const) {
      const button = element[side];
      if (!isObject(button)) {
        problems.push(`${where}.${side}: required`);
        continue;
      }
      const text = button.text;
      if (!isObject(text) || text.type !== 'plain_text' || typeof text.text !== 'string' || text.text.length === 0 || text.text.length > 75) {
        problems.push(`${where}.${side}.text: plain_text of 1 to 75 characters`);
      }
      if (typeof button.value !== 'string' || button.value.length === 0 || button.value.length > 2000) problems.push(`${where}.${side}.value: a string of 1 to 2000 characters`);
      if (button.accessibility_label !== undefined && (typeof button.accessibility_label !== 'string' || button.accessibility_label.length > 75)) {
        problems.push(`${where}.${side}.accessibility_label: at most 75 characters`);
      }
    }
  }
  return problems;
}

/** Slack's answer to blocks that break a rule, or undefined when they are fine. */
export function invalidBlocksAnswer(blocks: unknown): Record<string, unknown> | undefined {
  const problems = blockProblems(blocks);
  return problems.length > 0 ? { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems.map((problem) => `[ERROR] ${problem}`) } } : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
