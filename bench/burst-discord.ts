import { answerOf } from '../src/chat/replies.ts';
import { type DiscordCall, FakeDiscord } from '../test/fakes/discord.ts';
import { type BurstResult, sleep, startBurstSwitchboard } from './burst-switchboard.ts';

const CHANNELS = 6;
const GLOBAL_PER_SECOND = 50;

/**
 * `count` people mention the bot at once in 6 channels of a fake Discord that enforces route
 * buckets (5 per 5 s per channel) and the global limit (50 a second), each mention opening a
 * thread for its conversation. The bound: each answer needs a thread created in its channel
 * and a message in the thread, so the busiest channel's thread creations at 1 a second, or all
 * the calls at 50 a second, whichever is longer.
 */
export async function discordBurst(count: number): Promise<BurstResult> {
  const discord = new FakeDiscord();
  const channels = Array.from({ length: CHANNELS }, (_, index) => discord.addTextChannel(`51000000000000000${index}`, `burst-${index}`).id);
  await discord.start();
  discord.enforceLimits();
  const { sb, stop } = await startBurstSwitchboard(
    { DISCORD_TOKEN: 'fake-discord-token', DISCORD_API_URL: discord.apiUrl, DISCORD_GUILD_ID: discord.guildId },
    { platforms: { discord: { thread_per_conversation: true } } },
  );
  try {
    while (!discord.connected) await sleep(50);
    // One answer first, so the graph and the model are loaded before the clock starts.
    const warmUp = discord.userMessage({ channel: channels[0]!, user: 'bo', content: 'warm up', mention: true });
    while (discord.botMessages(warmUp.id).length === 0) await sleep(50);
    await sb.chat.idle();

    const firstCall = discord.calls.length;
    const started = performance.now();
    const mentions = Array.from({ length: count }, (_, index) => {
      const channel = channels[index % CHANNELS]!;
      return { channel, thread: discord.userMessage({ channel, user: 'ana', content: `question number ${index}`, mention: true }).id };
    });

    const complete = new Set<string>();
    for (const deadline = Date.now() + 10 * 60_000; complete.size < count && Date.now() < deadline; await sleep(250)) {
      if (mentions.some(({ thread }) => discord.botMessages(thread).length === 0)) continue;
      await sb.chat.idle();
      for (const { channel, thread } of mentions) {
        if (complete.has(thread)) continue;
        const conversation = await sb.chat.conversations.find({ platform: 'discord', workspace: discord.guildId, channel, thread });
        if (!conversation) continue;
        const answer = answerOf((await sb.engine.threads.getState(conversation.thread_id)).values as Record<string, unknown>);
        const said = discord.botMessages(thread).map((message) => message.content);
        if (answer && said.length === 1 && said[0] === answer) complete.add(thread);
      }
    }

    const calls = discord.calls.slice(firstCall);
    const answered = calls.filter((call) => !call.refused);
    const touches = (thread: string) => (call: DiscordCall) => call.path.startsWith(`/channels/${thread}/messages`) && call.method !== 'GET';
    const finishedAt = mentions.map(({ thread }) => Math.max(...answered.filter(touches(thread)).map((call) => call.hr)));
    const busiest = Math.ceil(count / CHANNELS);
    const globalMs = ((2 * count) / GLOBAL_PER_SECOND) * 1000;
    return {
      conversations: count,
      complete: complete.size,
      lastAnswerMs: Math.max(...finishedAt) - started,
      boundMs: Math.max(busiest * 1000, globalMs),
      boundWhy: busiest * 1000 >= globalMs ? `${busiest} thread creations in the busiest channel at 5 per 5 s` : `${2 * count} calls at 50/s global`,
      calls: calls.length,
      refused: calls.length - answered.length,
      duringRetryAfter: calls.filter((call) => call.duringRetryAfter).length,
    };
  } finally {
    await stop();
    await discord.stop();
  }
}
