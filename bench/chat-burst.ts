import { discordBurst } from './burst-discord.ts';
import { slackBurst } from './burst-slack.ts';
import { burstRow } from './burst-switchboard.ts';
import { printTable } from './stats.ts';

const SIZES = [10, 60, 200];

/**
 * `npm run bench -- chat-burst`: N conversations at once (10, 60, 200) against the fakes with
 * the platforms' rate limits enforced (Slack: 6 channels, one thread per mention; Discord: 6
 * channels, a thread opened per mention); the time until the last answer is complete next to the
 * bound the limits allow (calls needed on the scarcest bucket / its rate), API calls per
 * answer, 429s, and calls made while a Retry-After was running. One burst per size: a burst of
 * 200 takes over half a minute, and the bound, not a repetition, is the yardstick.
 */
export async function benchChatBurst(): Promise<void> {
  const rows: Array<[string, string]> = [];
  for (const size of SIZES) rows.push(burstRow('Slack', await slackBurst(size)));
  for (const size of SIZES) rows.push(burstRow('Discord', await discordBurst(size)));
  printTable('Chat under load: N mentions at once in 6 channels, fakes enforcing the platforms’ rate limits', rows);
}
