/**
 * The id a prompt's button carries on every platform (Slack action_id, Discord custom_id,
 * at most 100 characters there): only the prompt id and the option's position; the rest
 * stays server-side.
 */
export const PROMPT_ACTION_PREFIX = 'sb_prompt';

export const promptActionId = (promptId: string, index: number) => `${PROMPT_ACTION_PREFIX}:${promptId}:${index}`;

export function parsePromptActionId(actionId: string): { promptId: string; optionIndex: number } | null {
  const match = /^sb_prompt:([0-9a-f-]{36}):(\d+)$/.exec(actionId);
  return match ? { promptId: match[1]!, optionIndex: Number(match[2]) } : null;
}
