import type { Logger } from 'pino';
import { afterEach, expect } from 'vitest';
import { FakeDiscord } from '../fakes/discord.ts';
import { eventually } from './chat.ts';
import { startTestSwitchboard, type TestSwitchboard } from './switchboard.ts';

export interface DiscordHarness {
  /** The fake Discord of the current test (a new one per test: its gateway keeps session state). */
  readonly discord: FakeDiscord;
  readonly t: TestSwitchboard;
  start(config?: Record<string, unknown>, options?: { log?: Logger; before?: (discord: FakeDiscord) => void }): Promise<TestSwitchboard>;
}

export const GENERAL = '500000000000000001';
export const WRITERS = '500000000000000002';

/** Registers the hooks of a Discord test file: a fake Discord and a Switchboard connected to it, per test. */
export function useDiscordHarness(): DiscordHarness {
  let discord: FakeDiscord | undefined;
  let current: TestSwitchboard | undefined;
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
    await discord?.stop();
    discord = undefined;
  });
  return {
    get discord() {
      if (!discord) throw new Error('start() first');
      return discord;
    },
    get t() {
      if (!current) throw new Error('start() first');
      return current;
    },
    async start(config = {}, options = {}) {
      discord = new FakeDiscord();
      options.before?.(discord);
      await discord.start();
      current = await startTestSwitchboard({
        env: { DISCORD_TOKEN: 'fake-discord-token', DISCORD_API_URL: discord.apiUrl, DISCORD_GUILD_ID: discord.guildId },
        config,
        ...(options.log ? { log: options.log } : {}),
      });
      await eventually(() => expect(discord!.connected).toBe(true));
      return current;
    },
  };
}
