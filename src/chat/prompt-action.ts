/**
 * The id a prompt's button carries on every platform (Slack action_id, Discord custom_id,
 * at most 100 characters there): only the prompt id and the option's position; the rest
 * stays server-side. A button that opens a form says so in its prefix, so the platform
 * opens the form at once (Slack's trigger_id lasts 3 s; a Discord modal cannot follow a defer).
 */
export const PROMPT_ACTION_PREFIX = 'sb_prompt';
export const FORM_ACTION_PREFIX = 'sb_form';

export const promptActionId = (promptId: string, index: number, opensForm = false) => `${opensForm ? FORM_ACTION_PREFIX : PROMPT_ACTION_PREFIX}:${promptId}:${index}`;

export function parsePromptActionId(actionId: string): { promptId: string; optionIndex: number; opensForm: boolean } | null {
  const match = /^(sb_prompt|sb_form):([0-9a-f-]{36}):(\d+)$/.exec(actionId);
  return match ? { promptId: match[2]!, optionIndex: Number(match[3]), opensForm: match[1] === FORM_ACTION_PREFIX } : null;
}
