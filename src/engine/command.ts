import { Command, Send } from '@langchain/langgraph';
import type { RunCommandRecord } from '../storage/types.ts';

/**
 * The Platform's command object (`{ resume, update, goto }`, with `goto` a node name, a
 * `{ node, input }` send, or a list of them) as a LangGraph Command.
 */
export function toCommand(command: RunCommandRecord): Command {
  const targets = command.goto === undefined || command.goto === null ? undefined : Array.isArray(command.goto) ? command.goto : [command.goto];
  const goto = targets?.map((target) => (typeof target === 'string' ? target : new Send(String((target as { node: string }).node), (target as { input?: unknown }).input ?? null)));
  return new Command({
    ...(command.resume !== undefined ? { resume: command.resume } : {}),
    ...(command.update !== undefined && command.update !== null ? { update: command.update as Record<string, unknown> } : {}),
    ...(goto ? { goto } : {}),
  });
}
