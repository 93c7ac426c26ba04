import type { Logger } from 'pino';
import { createWebPlatform } from '../adapters/web/index.ts';
import type { PlaygroundRecord } from '../adapters/web/store.ts';
import type { RateLedger } from './chat/rate-limiter.ts';
import type { Platform } from './chat/types.ts';
import type { LoadedConfig } from './config/load.ts';
import { SwitchboardError } from './errors.ts';
import type { ChatStore, InstallationRepo } from './storage/types.ts';
import { slackOAuthFromEnv } from '../adapters/slack/oauth-config.ts';

/**
 * The platforms this process runs: each one whose credentials are in the environment
 * (Slack, Discord) or that the config enables (the web playground).
 */
export async function enabledPlatforms(
  env: NodeJS.ProcessEnv,
  config: LoadedConfig,
  chatStore: ChatStore,
  log: Logger,
  shared: { installations?: InstallationRepo | undefined; rateLedger?: RateLedger | undefined } = {},
): Promise<Platform[]> {
  const { installations, rateLedger } = shared;
  const platforms: Platform[] = [];
  const slack = config.platforms.slack;
  // Many workspaces (Slack's OAuth install) when its variables are set; refused in one line when half set.
  const slackOAuth = slackOAuthFromEnv(env);
  if (env.SLACK_BOT_TOKEN || slackOAuth) {
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      const what = slackOAuth ? "Slack's OAuth install is set up" : 'SLACK_BOT_TOKEN is set';
      throw new SwitchboardError('config_invalid', `${what} but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is`);
    }
    if (slackOAuth && !installations) throw new SwitchboardError('config_invalid', "Slack's OAuth install needs a storage that keeps installations");
    // Imported only when used: Bolt and discord.js weigh about 20 MiB of memory between them.
    const { createSlackPlatform } = await import('../adapters/slack/index.ts');
    const { SlackInstallations } = await import('../adapters/slack/installations.ts');
    platforms.push(
      createSlackPlatform({
        botToken: env.SLACK_BOT_TOKEN,
        oauth: slackOAuth && installations ? { config: slackOAuth, installations: new SlackInstallations({ repo: installations, sealer: slackOAuth.sealer }) } : undefined,
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
    platforms.push(
      await createWebPlatform({
        records: chatStore.collection<PlaygroundRecord>('playground'),
        files: chatStore.collection('playground_files'),
        log,
        command: web.command,
        channels: web.channels,
      }),
    );
  }
  return platforms;
}
