import type { Logger } from 'pino';
import { createWebPlatform } from '../adapters/web/index.ts';
import type { PlaygroundRecord } from '../adapters/web/store.ts';
import type { RateLedger } from './chat/rate-limiter.ts';
import type { Platform } from './chat/types.ts';
import type { LoadedConfig } from './config/load.ts';
import { SwitchboardError } from './errors.ts';
import type { ChatStore } from './storage/types.ts';

/**
 * The platforms this process runs: each one whose credentials are in the environment
 * (Slack, Discord) or that the config enables (the web playground).
 */
export async function enabledPlatforms(env: NodeJS.ProcessEnv, config: LoadedConfig, chatStore: ChatStore, log: Logger, rateLedger?: RateLedger): Promise<Platform[]> {
  const platforms: Platform[] = [];
  const slack = config.platforms.slack;
  if (env.SLACK_BOT_TOKEN) {
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      throw new SwitchboardError('config_invalid', 'SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is');
    }
    // Imported only when used: Bolt and discord.js weigh about 20 MiB of memory between them.
    const { createSlackPlatform } = await import('../adapters/slack/index.ts');
    platforms.push(
      createSlackPlatform({
        botToken: env.SLACK_BOT_TOKEN,
        signingSecret: env.SLACK_SIGNING_SECRET,
        appToken: env.SLACK_APP_TOKEN,
        apiUrl: env.SLACK_API_URL,
        slashCommand: slack.slash_command,
        streaming: slack.streaming,
        statusReaction: slack.status_reaction,
        log,
        rateLedger,
      }),
    );
  }
  if (env.DISCORD_TOKEN) {
    const discord = config.platforms.discord;
    const { createDiscordPlatform } = await import('../adapters/discord/index.ts');
    platforms.push(
      createDiscordPlatform({
        token: env.DISCORD_TOKEN,
        apiUrl: env.DISCORD_API_URL,
        guildId: env.DISCORD_GUILD_ID,
        command: discord.command,
        threadPerConversation: discord.thread_per_conversation,
        log,
        rateLedger,
      }),
    );
  }
  const web = config.platforms.web;
  if (web.enabled) {
    platforms.push(await createWebPlatform({ records: chatStore.collection<PlaygroundRecord>('playground'), log, command: web.command, channels: web.channels }));
  }
  return platforms;
}
