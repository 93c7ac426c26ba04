import { describe, expect, it } from 'vitest';
import type { ChatStrategy } from '../../src/config/schema.ts';
import { eventually } from '../helpers/chat.ts';
import { BURST, expectCollected, expectInterrupted, expectRolledBack } from '../helpers/strategy-outcomes.ts';
import { GENERAL, useDiscordHarness } from '../helpers/discord.ts';

/** Five messages in a Discord channel that answers every message, sent while the slow assistant answers the first. */
describe('Discord: every double-texting strategy under 5 rapid messages', () => {
  const h = useDiscordHarness();

  async function burst(strategy: ChatStrategy) {
    await h.start({ chat: { assistant: 'slowtalker', strategy, collect_quiet_ms: 400, channels: [{ platform: 'discord', channel: GENERAL, respond: 'all' }] } });
    for (const text of BURST) h.discord.userMessage({ channel: GENERAL, user: 'ana', content: text });
    const place = { platform: 'discord', workspace: h.discord.guildId, channel: GENERAL, thread: GENERAL };
    await eventually(async () => expect(await h.t.sb.chat.conversations.find(place)).toBeTruthy());
    const conversation = (await h.t.sb.chat.conversations.find(place))!;
    await eventually(async () => {
      const runs = await h.t.sb.engine.runs.list(conversation.thread_id, { limit: 100 });
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.every((run) => run.status !== 'pending' && run.status !== 'running')).toBe(true);
    }, 20_000);
    await h.t.sb.chat.idle();
    await eventually(() => expect(h.t.sb.chat.outbox.pendingCount()).toBe(0), 10_000);
    const state = await h.t.sb.engine.threads.getState(conversation.thread_id);
    const humans = (state.values.messages as Array<{ type: string; content: string }>).filter((message) => message.type === 'human').map((message) => message.content);
    const sent = h.discord.botMessages(GENERAL).map((message) => message.content);
    const notices = sent.filter((text) => text.startsWith('<@'));
    const replies = sent.filter((text) => !text.startsWith('<@'));
    return { humans, replies, notices, runs: await h.t.sb.engine.runs.list(conversation.thread_id, { limit: 100 }) };
  }

  it('enqueue: every message answered, in order', async () => {
    const { humans, replies } = await burst('enqueue');
    expect(humans).toEqual(BURST);
    expect(replies.map((reply) => /You said: "(\w+)"/.exec(reply)?.[1])).toEqual(BURST);
  });

  it('reject: the first run is kept and each later sender is told, by name, that the bot is busy', async () => {
    const { humans, replies, notices } = await burst('reject');
    expect(humans).toEqual(['first']);
    expect(replies).toHaveLength(1);
    expect(notices).toHaveLength(4);
    for (const notice of notices) expect(notice).toMatch(new RegExp(`^<@${h.discord.userId('ana')}> I'm still working on the previous message`));
  });

  it('interrupt: the answer in flight stops, the newest is answered in full, every message stays in the thread', async () => {
    expectInterrupted(await burst('interrupt'));
  });

  it('rollback: the earlier runs are erased, only the newest message is in the thread', async () => {
    expectRolledBack(await burst('rollback'));
  });

  it('collect: the burst is answered once, as one message', async () => {
    expectCollected(await burst('collect'));
  });
});
