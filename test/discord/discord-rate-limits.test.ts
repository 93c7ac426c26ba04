import { describe, expect, it } from 'vitest';
import { answerOf } from '../../src/chat/replies.ts';
import { eventually } from '../helpers/chat.ts';
import { type DiscordHarness, GENERAL, useDiscordHarness, WRITERS } from '../helpers/discord.ts';

/** Every mention's thread holds exactly its run's whole answer. */
async function expectAllAnswered(h: DiscordHarness, mentions: Array<{ channel: string; thread: string; index: number }>, timeoutMs: number) {
  await eventually(async () => {
    for (const { channel, thread, index } of mentions) {
      const conversation = await h.t.sb.chat.conversations.find({ platform: 'discord', workspace: h.discord.guildId, channel, thread });
      expect(conversation, `conversation ${index}`).toBeTruthy();
      const answer = answerOf((await h.t.sb.engine.threads.getState(conversation!.thread_id)).values as Record<string, unknown>);
      expect(answer).toContain(`question number ${index}`);
      expect(h.discord.botMessages(thread).map((message) => message.content)).toEqual([answer]);
    }
  }, timeoutMs);
}

/** `count` mentions at once, spread over `channels` in turn. */
function burst(h: DiscordHarness, count: number, channels = [GENERAL, WRITERS]) {
  return Array.from({ length: count }, (_, index) => {
    const channel = channels[index % channels.length]!;
    return { channel, thread: h.discord.userMessage({ channel, user: 'ana', content: `question number ${index}`, mention: true }).id, index };
  });
}

describe('Discord under load, against a fake Discord with route buckets and the global limit', { timeout: 90_000 }, () => {
  const h = useDiscordHarness();

  it('messages sent to one channel while discord.js is still learning its bucket from the first answers never overrun it, nor call it during a Retry-After', async () => {
    await h.start({}, { before: (discord) => discord.enforceLimits() });
    h.discord.latencyMs = 100;
    const adapter = h.t.sb.platform('discord')!.adapter;
    const place = { platform: 'discord' as const, workspace: h.discord.guildId, channel: GENERAL, thread: GENERAL };
    const firstCall = h.discord.calls.length;
    // Five queue behind the route's first answer; eight more come once discord.js knows the bucket by its
    // hash and opens a second queue for it, which knows nothing of the first one's calls.
    const early = [0, 1, 2, 3, 4].map((index) => adapter.send(place, { markdown: `part ${index}` }));
    await h.discord.nextCall((call) => call.method === 'POST' && call.path === `/channels/${GENERAL}/messages`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const late = Array.from({ length: 8 }, (_, index) => adapter.send(place, { markdown: `part ${index + 5}` }));
    await Promise.all([...early, ...late]);
    const posts = h.discord.calls.slice(firstCall).filter((call) => call.path === `/channels/${GENERAL}/messages`);
    expect(posts.filter((call) => call.refused)).toEqual([]);
    expect(posts).toHaveLength(13);
    expect(h.discord.callsDuringRetryAfter()).toEqual([]);
    expect(
      h.discord
        .botMessages(GENERAL)
        .map((message) => message.content)
        .sort(),
    ).toEqual(Array.from({ length: 13 }, (_, index) => `part ${index}`).sort());
  });

  it('60 mentions at once in 20 channels, each opening a thread, over a network with a round trip: paced in advance, Discord never has to refuse a call and every answer arrives whole', async () => {
    const channels = Array.from({ length: 20 }, (_, index) => `5100000000000000${String(index).padStart(2, '0')}`);
    await h.start(
      { platforms: { discord: { thread_per_conversation: true } } },
      {
        before: (discord) => {
          for (const channel of channels) discord.addTextChannel(channel, `burst-${channel.slice(-2)}`);
          discord.enforceLimits();
        },
      },
    );
    // Answers come a round trip after Discord counted the call: discord.js learns a route's bucket only from an answer.
    h.discord.latencyMs = 100;
    const firstCall = h.discord.calls.length;
    // 180 calls (a thread, typing and the answer each) at 50 a second globally, 3 threads a channel.
    const mentions = burst(h, 60, channels);
    await expectAllAnswered(h, mentions, 75_000);
    await h.t.sb.chat.idle();
    const calls = h.discord.calls.slice(firstCall);
    expect(calls.filter((call) => call.path.endsWith('/threads') && !call.refused)).toHaveLength(60);
    expect(calls.filter((call) => call.refused).map((call) => `${call.method} ${call.path}`)).toEqual([]);
    expect(h.discord.callsDuringRetryAfter()).toEqual([]);
  });

  it("the final text goes out before intermediate edits when a channel's edits are scarce (5 per 5 s)", async () => {
    await h.start({ chat: { assistant: 'slowtalker' } }, { before: (discord) => discord.enforceLimits() });
    const firstCall = h.discord.calls.length;
    // An answer streamed for about a second, edits wanted every 150 ms: more than the channel's edit bucket allows.
    const mentions = burst(h, 2).map((mention) => ({ ...mention, thread: mention.channel }));
    await expectAllAnswered(h, mentions, 60_000);
    await h.t.sb.chat.idle();
    let finalEdits = 0;
    for (const { channel } of mentions) {
      const conversation = await h.t.sb.chat.conversations.find({ platform: 'discord', workspace: h.discord.guildId, channel, thread: channel });
      const [run] = await h.t.sb.engine.runs.list(conversation!.thread_id);
      const runEnded = Date.parse(run!.updated_at);
      const [reply] = h.discord.botMessages(channel);
      const edits = h.discord.calls
        .slice(firstCall)
        .filter((call) => call.method === 'PATCH' && call.path === `/channels/${channel}/messages/${reply!.id}` && !call.refused && call.at >= runEnded);
      // After its run ended, the first edit of a reply is its final text: no intermediate one goes first.
      if (edits.length > 0) expect(edits[0]!.body?.content).toBe(reply!.content);
      expect(edits.length).toBeLessThanOrEqual(1);
      finalEdits += edits.length;
    }
    // The replies were streamed (a first part posted early), so their final text did take an edit.
    expect(finalEdits).toBeGreaterThan(0);
    expect(h.discord.calls.slice(firstCall).filter((call) => call.refused)).toEqual([]);
  });

  it('24 mentions at once in 2 channels, under scripted 429s on message routes: every answer arrives whole in its thread, and no call goes out during a Retry-After', async () => {
    await h.start({ platforms: { discord: { thread_per_conversation: true } }, chat: { assistant: 'slowtalker' } }, { before: (discord) => discord.enforceLimits() });
    h.discord.failNext(/^POST \/channels\/\d+\/messages$/, ...Array.from({ length: 4 }, () => ({ status: 429 as const, retryAfter: 1 })));
    h.discord.failNext(/^PATCH \/channels\/\d+\/messages\/\d+$/, ...Array.from({ length: 4 }, () => ({ status: 429 as const, retryAfter: 1 })));
    await expectAllAnswered(h, burst(h, 24), 60_000);
    await h.t.sb.chat.idle();
    expect(h.discord.calls.filter((call) => call.refused).length).toBeGreaterThanOrEqual(8);
    expect(h.discord.callsDuringRetryAfter()).toEqual([]);
  });
});
