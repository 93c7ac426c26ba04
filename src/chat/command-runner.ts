import type { ChatContext } from './context.ts';
import { COMMANDS, HELP, parseCommand, type ParsedCommand } from './commands.ts';
import { conversationKey } from './conversations.ts';
import { describeConversation, formatConversationInfo } from './describe.ts';
import type { ChatUser, IncomingCommand, Place } from './types.ts';

/** Answers the person who typed a command (privately where the platform allows it). */
export type CommandReply = (markdown: string) => Promise<void>;

/** A command typed as a platform command (`/sb use tweet`, a Discord subcommand). */
export async function handleCommand(ctx: ChatContext, command: IncomingCommand): Promise<void> {
  const parsed = parseCommand(command.text) ?? { name: 'invalid' as const, message: `commands take no extra words here; commands: ${COMMANDS.join(', ')}` };
  await runCommand(ctx, parsed, command.place, command.user, (text) => command.reply(text), command.userTeam);
}

/** Carries out a parsed command in a place, for a user. */
export async function runCommand(ctx: ChatContext, command: ParsedCommand, place: Place, user: ChatUser, reply: CommandReply, userTeam?: string): Promise<void> {
  const { engine, conversations } = ctx;
  // With `commands: admins`, only admins change a conversation; everyone may still look (help, list, info) and cancel.
  const changes = command.name === 'use' || command.name === 'strategy' || command.name === 'new';
  if (changes && ctx.access.rulesFor(place).commands === 'admins' && !ctx.access.isAdmin(place, user, userTeam)) {
    return reply(`Only admins can \`${command.name}\` here.`);
  }
  switch (command.name) {
    case 'pair':
      return reply(await ctx.access.pair(command.code, place, user, userTeam));
    case 'help':
      return reply(HELP);
    case 'invalid':
      return reply(`${command.message}\n\n${HELP}`);
    case 'list':
      return reply(await assistantList(ctx, place));
    case 'use': {
      const assistant = await engine.assistants.findByIdOrName(command.assistant);
      if (!assistant) return reply(`There is no assistant \`${command.assistant}\`.\n\n${await assistantList(ctx, place)}`);
      // A command outside any thread (a Slack slash command) speaks for the channel's next conversations.
      if (command.channel || place.thread === undefined) {
        await conversations.setChannel(place, { assistant: assistant.assistant_id });
        return reply(`**${assistant.name}** is now the default assistant of this channel.`);
      }
      const conversation = await conversations.open(place, user.id);
      await conversations.update(conversation, { assistant: assistant.assistant_id });
      // A question of the assistant left behind is closed: the next message is for the new one.
      const dropped = await ctx.dropPendingPrompts(conversationKey(place), user, assistant.name);
      const droppedNote = dropped > 0 ? ` The pending question${dropped > 1 ? 's were' : ' was'} dropped.` : '';
      return reply(`Now using **${assistant.name}** in this conversation; it continues the same thread.${droppedNote}`);
    }
    case 'strategy': {
      if (place.thread === undefined) {
        await conversations.setChannel(place, { strategy: command.strategy });
        return reply(`Messages sent while I'm busy in this channel's conversations now follow \`${command.strategy}\`.`);
      }
      const conversation = await conversations.open(place, user.id);
      await conversations.update(conversation, { strategy: command.strategy });
      return reply(`Messages sent while I'm busy here now follow \`${command.strategy}\`.`);
    }
    case 'new': {
      const conversation = await conversations.reset(place);
      return reply(`Started a fresh thread for this conversation (\`${conversation.thread_id}\`).`);
    }
    case 'cancel': {
      const conversation = await conversations.find(place);
      const cancelled = conversation ? await engine.runs.cancelAll(conversation.thread_id, { action: 'interrupt' }) : [];
      return reply(cancelled.length > 0 ? `Stopped ${cancelled.length} run(s).` : 'Nothing is running here.');
    }
    case 'info':
      return reply(formatConversationInfo(await describeConversation(ctx, place)));
  }
}

async function assistantList(ctx: ChatContext, place: Place): Promise<string> {
  const { items } = await ctx.engine.assistants.search({ limit: 1000, offset: 0, sort_by: 'name', sort_order: 'asc' });
  const current = await ctx.conversations.assistantFor(await ctx.conversations.find(place), place);
  const lines = items.map(
    (assistant) =>
      `• **${assistant.name}**${assistant.assistant_id === current ? ' (current)' : ''}${assistant.description ? `: ${assistant.description}` : ` (graph \`${assistant.graph_id}\`)`}`,
  );
  return `**Assistants**\n${lines.join('\n')}\n\nSwitch with \`use <assistant>\`.`;
}
