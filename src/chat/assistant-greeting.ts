import { z } from 'zod';
import type { Assistant } from '../storage/types.ts';
import type { SuggestedPrompt } from './types.ts';

/** Slack shows at most 4 suggested prompts. */
export const MAX_SUGGESTED_PROMPTS = 4;
const TITLE_CHARS = 75;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const promptsSchema = z.array(z.strictObject({ title: z.string().trim().min(1), message: z.string().trim().min(1) })).min(1);

/** A setting of an assistant, where its settings live: `config.configurable.<key>`, else `metadata.<key>`. */
const settingOf = (assistant: Assistant, key: string): unknown => assistant.config.configurable?.[key] ?? assistant.metadata[key];

/**
 * What an assistant thread offers when it opens: the assistant's own `suggested_prompts`
 * (`[{title, message}]` in its config or metadata; the first 4), else one prompt per other
 * assistant, built from its description, whose message switches to it (`use <name>`).
 * An invalid `suggested_prompts` is reported in `problem` and the fallback is used.
 */
export function suggestedPrompts(current: Assistant, all: Assistant[]): { prompts: SuggestedPrompt[]; problem?: string } {
  const configured = settingOf(current, 'suggested_prompts');
  let problem: string | undefined;
  if (configured !== undefined) {
    const parsed = promptsSchema.safeParse(configured);
    if (parsed.success) return { prompts: parsed.data.slice(0, MAX_SUGGESTED_PROMPTS).map((prompt) => ({ title: clip(prompt.title, TITLE_CHARS), message: prompt.message })) };
    problem = `assistant ${current.name}: suggested_prompts must be a list of {title, message} (${parsed.error.issues[0]?.message ?? 'invalid'})`;
  }
  const others = all
    .filter((assistant) => assistant.assistant_id !== current.assistant_id && assistant.description)
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, MAX_SUGGESTED_PROMPTS);
  const prompts = others.map((assistant) => ({ title: clip(`${assistant.name}: ${assistant.description}`, TITLE_CHARS), message: `use ${assistant.name}` }));
  return problem ? { prompts, problem } : { prompts };
}

/** The first words an assistant thread shows: the assistant's `greeting`, else who answers and what it does. */
export function greetingOf(current: Assistant, name: string | undefined, hasPrompts: boolean): string {
  const own = settingOf(current, 'greeting');
  if (typeof own === 'string' && own.trim() !== '') return own.trim();
  const hello = name ? `Hi ${name}!` : 'Hi!';
  const what = current.description ? `: ${current.description}` : '.';
  const next = hasPrompts ? 'Ask me anything, or pick a suggestion.' : 'Ask me anything.';
  return `${hello} You're talking to **${current.name}**${what} ${next}`;
}

/** An assistant thread's title from its first message: its first line, at most 80 characters. */
export function titleOf(text: string): string {
  const line = text.split('\n').find((each) => each.trim() !== '') ?? text;
  return clip(line.replace(/\s+/g, ' ').trim(), 80) || 'Conversation';
}
