import { ApplicationCommandOptionType, type ApplicationCommandData, type ChatInputCommandInteraction } from 'discord.js';
import { CHAT_STRATEGIES } from '../../src/config/schema.ts';

/**
 * `/sb` with one subcommand per chat command, so Discord shows each with its own help and
 * options: the assistant of `use` is autocompleted, the strategy is a choice.
 */
export function slashCommandData(name: string): ApplicationCommandData {
  const sub = (subName: string, description: string, options: object[] = []) => ({ type: ApplicationCommandOptionType.Subcommand, name: subName, description, options });
  return {
    name,
    description: 'Switchboard: your LangGraph assistants in this channel',
    options: [
      sub('help', 'What Switchboard can do here'),
      sub('list', 'The assistants you can talk to'),
      sub('use', 'Switch this conversation to another assistant (it keeps the thread)', [
        { type: ApplicationCommandOptionType.String, name: 'assistant', description: 'The assistant', required: true, autocomplete: true },
        { type: ApplicationCommandOptionType.Boolean, name: 'channel', description: "Make it this channel's default instead", required: false },
      ]),
      sub('info', 'The assistant, thread, status and strategy of this conversation'),
      sub('new', 'Start a fresh thread for this conversation'),
      sub('strategy', 'What a message sent while the bot is busy does', [
        {
          type: ApplicationCommandOptionType.String,
          name: 'strategy',
          description: 'reject, enqueue, interrupt, rollback or collect',
          required: true,
          choices: CHAT_STRATEGIES.map((strategy) => ({ name: strategy, value: strategy })),
        },
      ]),
      sub('cancel', 'Stop the run in flight'),
      sub('pair', '(Admins) let the person who got this code talk to the bot in DMs', [
        { type: ApplicationCommandOptionType.String, name: 'code', description: 'The code the person was given', required: true },
      ]),
    ],
  } as ApplicationCommandData;
}

/** The chat layer's command text for an invocation (`use tweet --channel`). */
export function commandText(interaction: ChatInputCommandInteraction): string {
  const sub = interaction.options.getSubcommand(false) ?? 'help';
  switch (sub) {
    case 'use': {
      const assistant = interaction.options.getString('assistant', true).trim();
      return `use ${assistant}${interaction.options.getBoolean('channel') ? ' --channel' : ''}`;
    }
    case 'strategy':
      return `strategy ${interaction.options.getString('strategy', true)}`;
    case 'pair':
      return `pair ${interaction.options.getString('code', true).trim()}`;
    default:
      return sub;
  }
}
