import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { GENERAL, useDiscordHarness } from '../helpers/discord.ts';
import { captureLogger } from '../helpers/log.ts';

interface Health {
  ok: boolean;
  platforms: { discord: { gateway: string; healthy: boolean; last_close_code: number | null; reconnects: number; resumes: number; message_content_intent: boolean } };
}

describe('Discord: the gateway connection', () => {
  const h = useDiscordHarness();
  const texts = (channel: string) => h.discord.botMessages(channel).map((message) => message.content);
  const health = async () => {
    const response = await fetch(`${h.t.url}/ok`);
    return { status: response.status, body: (await response.json()) as Health };
  };

  it('a dropped socket shows as reconnecting, then resumes: nothing said meanwhile is lost', async () => {
    await h.start();
    expect((await health()).body.platforms.discord.gateway).toBe('ready');
    h.discord.holdGateway();
    h.discord.dropGateway(4000);
    await eventually(async () => expect((await health()).body.platforms.discord.gateway).toBe('reconnecting'));
    // Still within the grace period: healthy, reported as reconnecting.
    expect((await health()).status).toBe(200);
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'said while you were away', mention: true });
    h.discord.releaseGateway();
    await eventually(async () => expect((await health()).body.platforms.discord).toMatchObject({ gateway: 'ready', resumes: 1 }), 15_000);
    expect(h.discord.resumes).toBe(1);
    expect(h.discord.identifies).toBe(1);
    await eventually(() => expect(texts(GENERAL).at(-1)).toContain('You said: "said while you were away"'), 10_000);
  });

  it('a gateway closed for good (bad token) fails the health check with 503, so the zombie bot is seen', async () => {
    await h.start();
    h.discord.dropGateway(4004);
    await eventually(async () => expect((await health()).status).toBe(503), 10_000);
    const { body } = await health();
    expect(body.ok).toBe(false);
    expect(body.platforms.discord).toMatchObject({ gateway: 'closed', healthy: false, last_close_code: 4004 });
  });

  it('without the MessageContent intent: warns once, and mentions and DMs still work', async () => {
    const captured = captureLogger();
    await h.start(
      { chat: { channels: [{ platform: 'discord', channel: GENERAL, respond: 'all' }] } },
      {
        log: captured.log,
        before: (discord) => {
          discord.messageContentApproved = false;
        },
      },
    );
    expect(h.discord.intents & (1 << 15)).toBe(0);
    const warnings = captured.lines.filter((line) => line.msg.includes('MessageContent intent'));
    expect(warnings).toHaveLength(1);
    expect((await health()).body.platforms.discord.message_content_intent).toBe(false);

    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'no mention: arrives empty' });
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'with a mention', mention: true });
    await eventually(() => expect(texts(GENERAL).at(-1)).toContain('You said: "with a mention"'), 10_000);
    const dm = h.discord.dmChannel('bo');
    h.discord.userMessage({ channel: dm.id, user: 'bo', content: 'a DM' });
    await eventually(() => expect(texts(dm.id).at(-1)).toContain('You said: "a DM"'), 10_000);
    await h.t.sb.chat.idle();
    expect(texts(GENERAL)).toHaveLength(1);
  });
});
