import { describe, expect, it } from 'vitest';
import { answerOf } from '../../src/chat/replies.ts';
import { eventually } from '../helpers/chat.ts';
import { GENERAL, useDiscordHarness, WRITERS } from '../helpers/discord.ts';

describe('Discord under load, against a fake Discord with route buckets and the global limit', () => {
  const h = useDiscordHarness();

  it('24 mentions at once in 2 channels, under scripted 429s on message routes: every answer arrives whole in its thread, and no call goes out during a Retry-After', async () => {
    await h.start({ platforms: { discord: { thread_per_conversation: true } }, chat: { assistant: 'slowtalker' } }, { before: (discord) => discord.enforceLimits() });
    h.discord.failNext(/^POST \/channels\/\d+\/messages$/, ...Array.from({ length: 4 }, () => ({ status: 429 as const, retryAfter: 1 })));
    h.discord.failNext(/^PATCH \/channels\/\d+\/messages\/\d+$/, ...Array.from({ length: 4 }, () => ({ status: 429 as const, retryAfter: 1 })));
    const mentions = Array.from({ length: 24 }, (_, index) => {
      const channel = index % 2 === 0 ? GENERAL : WRITERS;
      return { channel, thread: h.discord.userMessage({ channel, user: 'ana', content: `question number ${index}`, mention: true }).id, index };
    });
    await eventually(async () => {
      for (const { channel, thread, index } of mentions) {
        const conversation = await h.t.sb.chat.conversations.find({ platform: 'discord', workspace: h.discord.guildId, channel, thread });
        expect(conversation, `conversation ${index}`).toBeTruthy();
        const answer = answerOf((await h.t.sb.engine.threads.getState(conversation!.thread_id)).values as Record<string, unknown>);
        expect(answer).toContain(`question number ${index}`);
        expect(h.discord.botMessages(thread).map((message) => message.content)).toEqual([answer]);
      }
    }, 60_000);
    await h.t.sb.chat.idle();
    expect(h.discord.calls.filter((call) => call.refused).length).toBeGreaterThanOrEqual(8);
    expect(h.discord.callsDuringRetryAfter()).toEqual([]);
  });
});
