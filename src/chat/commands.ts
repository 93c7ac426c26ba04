import type { ChatStrategy } from '../config/schema.ts';
import { CHAT_STRATEGIES } from '../config/schema.ts';

/** The commands, one parser for every platform (`/sb use tweet`, `@bot use tweet`, Discord subcommands). */
export const COMMANDS = ['help', 'list', 'use', 'info', 'new', 'strategy', 'cancel', 'pair'] as const;
export type CommandName = (typeof COMMANDS)[number];

export type ParsedCommand =
  | { name: 'help' | 'list' | 'info' | 'new' | 'cancel' }
  | { name: 'use'; assistant: string; channel: boolean }
  | { name: 'strategy'; strategy: ChatStrategy }
  | { name: 'pair'; code: string }
  | { name: 'invalid'; message: string };

export const HELP = [
  '**Commands**',
  '• `help`: this list',
  '• `list`: the assistants you can talk to',
  '• `use <assistant>`: switch this conversation to an assistant (`--channel` to make it the channel default)',
  '• `info`: the assistant, thread and status of this conversation',
  '• `new`: start a fresh thread in this conversation',
  `• \`strategy <${CHAT_STRATEGIES.join('|')}>\`: what happens to a message sent while the bot is still working`,
  '• `cancel`: stop the run in flight',
  '• `pair <code>`: (admins) let the person who got this code talk to the bot in direct messages',
].join('\n');

/** Parses a command text; null when the text is not a command at all. */
export function parseCommand(text: string): ParsedCommand | null {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const name = words[0]?.toLowerCase();
  if (!name) return { name: 'help' };
  const args = words.slice(1);
  switch (name) {
    case 'help':
    case 'list':
    case 'info':
    case 'new':
    case 'cancel':
      return args.length === 0 ? { name } : null;
    case 'use': {
      const channel = args.includes('--channel');
      const assistant = args.filter((arg) => arg !== '--channel').join(' ');
      if (!assistant) return { name: 'invalid', message: 'say which assistant: `use <assistant>` (see `list`)' };
      return { name: 'use', assistant, channel };
    }
    case 'strategy': {
      const strategy = args[0]?.toLowerCase();
      if (!strategy || !(CHAT_STRATEGIES as readonly string[]).includes(strategy) || args.length > 1) {
        return { name: 'invalid', message: `choose one of: ${CHAT_STRATEGIES.join(', ')}` };
      }
      return { name: 'strategy', strategy: strategy as ChatStrategy };
    }
    case 'pair': {
      const code = args[0]?.toUpperCase();
      if (!code || args.length > 1) return { name: 'invalid', message: 'say which code: `pair <code>`' };
      return { name: 'pair', code };
    }
    default:
      return { name: 'invalid', message: `unknown command \`${name}\`; commands: ${COMMANDS.join(', ')}` };
  }
}

/**
 * Whether a message to the bot is a command: a slash-less command word first
 * (`@bot use tweet` in a Slack thread, where slash commands do not work).
 */
export function commandInMessage(text: string): ParsedCommand | null {
  const first = text.trim().split(/\s+/)[0]?.toLowerCase().replace(/^[/!]/, '');
  if (!first) return null;
  const body = text.trim().replace(/^[/!]/, '');
  if (first === 'sb') return parseCommand(body.slice(2));
  if (!(COMMANDS as readonly string[]).includes(first)) return null;
  // "new ideas for the launch" is a message, not `new`: commands that take no arguments
  // only count when they stand alone (parseCommand returns null then).
  return parseCommand(body);
}
