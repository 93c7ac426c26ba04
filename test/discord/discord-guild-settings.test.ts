import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { GENERAL, useDiscordHarness, WRITERS } from '../helpers/discord.ts';

const ANA = '400000000000000001';
const ASSISTANTS = [
  { name: 'talker', graph: 'chat' },
  { name: 'tweet', graph: 'writer', config: { configurable: { style: 'tweet', max_chars: 280 } } },
  { name: 'approver', graph: 'approval' },
];

describe('per-guild settings (chat.channels entries with `workspace`) through the real discord.js client', () => {
  const h = useDiscordHarness();
  const assistantOfRun = async (channel: string) => {
    const conversation = await h.t.sb.chat.conversations.find({ platform: 'discord', workspace: h.discord.guildId, channel, thread: channel });
    if (!conversation) return null;
    const [run] = await h.t.sb.engine.runs.list(conversation.thread_id);
    return run ? (await h.t.sb.engine.assistants.get(run.assistant_id)).name : null;
  };

  it("a guild's entry sets the default assistant and who may talk in every channel of it; a channel's entry wins over it; another guild's entry does not apply", async () => {
    await h.start({
      assistants: ASSISTANTS,
      chat: {
        assistant: 'talker',
        // In an order that would let the wrong entry win if order, not specificity and workspace, decided.
        channels: [
          { platform: 'discord', workspace: '200000000000000001', channel: WRITERS, assistant: 'talker' },
          { platform: 'discord', workspace: '200000000000000001', assistant: 'tweet', access: { users: [`discord:${ANA}`] } },
          { platform: 'discord', workspace: '299999999999999999', assistant: 'approver', access: { users: ['discord:400000000000000003'] } },
        ],
      },
    });
    expect(h.discord.guildId).toBe('200000000000000001');
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'launch day', mention: true });
    await eventually(async () => expect(await assistantOfRun(GENERAL)).toBe('tweet'), 10_000);
    h.discord.userMessage({ channel: WRITERS, user: 'ana', content: 'plain please', mention: true });
    await eventually(async () => expect(await assistantOfRun(WRITERS)).toBe('talker'), 10_000);
    await eventually(
      () =>
        expect(
          h.discord
            .botMessages(WRITERS)
            .map((message) => message.content)
            .join(''),
        ).toContain('You said: "plain please"'),
      10_000,
    );
    // The guild's access list holds in its channels (the channel entry set no access of its own): bo is not on it.
    h.discord.userMessage({ channel: WRITERS, user: 'bo', content: 'me too', mention: true });
    const refused = () => h.t.sb.engine.storage.chat.collection<{ identity: string; reason: string }>('refused').list();
    await eventually(async () => expect((await refused()).map(({ value }) => [value.identity, value.reason])).toEqual([['discord:400000000000000002', 'not-allowed']]));
    await h.t.sb.chat.idle();
    const conversation = await h.t.sb.chat.conversations.find({ platform: 'discord', workspace: h.discord.guildId, channel: WRITERS, thread: WRITERS });
    expect(await h.t.sb.engine.runs.list(conversation!.thread_id)).toHaveLength(1);
  });

  it('refuses an entry that names neither a channel nor a workspace, saying so', async () => {
    await expect(h.start({ chat: { channels: [{ platform: 'discord', assistant: 'talker' }] } })).rejects.toThrow(/an entry names a channel, a workspace, or both/);
  });
});
