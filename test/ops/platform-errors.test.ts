import { describe, expect, it } from 'vitest';
import { messageEvent, postSigned } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { useDiscordHarness, WRITERS } from '../helpers/discord.ts';
import { sample, scrapeMetrics } from '../helpers/metrics.ts';
import { tsCounter, useSlackHarness } from '../helpers/slack.ts';

const nextTs = tsCounter(1_760_000_000);

describe('switchboard_platform_errors_total counts failed platform calls', () => {
  describe('Slack (the real Bolt client against the fake)', () => {
    const h = useSlackHarness('http');

    it('a 429, a 500 and Slack answering ratelimited on chat.postMessage are counted by code, and the reply still lands', async () => {
      await h.start({ platforms: { slack: { streaming: 'edit' } } });
      const before = await scrapeMetrics(h.t.url);
      h.slack.failNext('chat.postMessage', { status: 429, retryAfter: 0 }, { status: 500 }, { error: 'ratelimited' });
      const root = nextTs();
      expect((await postSigned(`${h.t.url}/slack/events`, JSON.stringify(messageEvent({ text: '<@UBOT> count my failures', ts: root, mention: true })))).status).toBe(200);
      await eventually(() => expect(h.slack.thread('C1', root).at(-1)?.text ?? '').toContain('You said'), 20_000);
      const after = await scrapeMetrics(h.t.url);
      const delta = (code: string) =>
        sample(after, 'switchboard_platform_errors_total', { platform: 'slack', code }) - sample(before, 'switchboard_platform_errors_total', { platform: 'slack', code });
      // The 429 (Bolt's rate-limited error) and Slack's own "ratelimited" answer share a code.
      expect(delta('ratelimited')).toBe(2);
      expect(delta('500')).toBe(1);
    }, 30_000);
  });

  describe('Discord (the real discord.js client against the fake)', () => {
    const h = useDiscordHarness();

    it('429s that discord.js waits out and retries itself are counted, by status', async () => {
      await h.start({ chat: { assistant: 'talker' } });
      const before = await scrapeMetrics(h.t.url);
      h.discord.failNext(/^POST \/channels\/\d+\/messages$/, { status: 429, retryAfter: 0.2 }, { status: 429, retryAfter: 0.2 });
      h.discord.userMessage({ channel: WRITERS, user: 'ana', content: 'count my failures', mention: true });
      await eventually(() => expect(h.discord.botMessages(WRITERS).at(-1)?.content ?? '').toContain('You said'), 20_000);
      const after = await scrapeMetrics(h.t.url);
      expect(
        sample(after, 'switchboard_platform_errors_total', { platform: 'discord', code: '429' }) -
          sample(before, 'switchboard_platform_errors_total', { platform: 'discord', code: '429' }),
      ).toBe(2);
    }, 30_000);
  });
});
