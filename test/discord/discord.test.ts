import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { GENERAL, useDiscordHarness, WRITERS } from '../helpers/discord.ts';

const FINAL = "(I am Switchboard's built-in offline model";
const QUICK = [
  { name: 'talker', graph: 'chat' },
  // Fast enough to stream a long answer within a test, slow enough to be seen streaming.
  { name: 'quick', graph: 'chat', config: { configurable: { token_delay_ms: 2 } } },
  { name: 'slowtalker', graph: 'chat', config: { configurable: { token_delay_ms: 30 } } },
  { name: 'tweet', graph: 'writer', description: 'Writes a tweet', config: { configurable: { style: 'tweet', max_chars: 280 } } },
  { name: 'approver', graph: 'approval' },
];

describe('Discord through the real discord.js client', () => {
  const h = useDiscordHarness();
  const texts = (channel: string) => h.discord.botMessages(channel).map((message) => message.content);
  const conversationOf = (channel: string, thread = channel) => h.t.sb.chat.conversations.find({ platform: 'discord', workspace: h.discord.guildId, channel, thread });
  /** The people's messages in a conversation's thread state, as [name, text]. */
  const humanMessages = async (channel: string) => {
    const state = await h.t.sb.engine.threads.getState((await conversationOf(channel))!.thread_id);
    const messages = state.values.messages as Array<{ type: string; name?: string; content: string }>;
    return messages.filter((message) => message.type === 'human').map((message) => [message.name, message.content]);
  };

  it('registers /sb with its subcommands in the guild, and reports the gateway in GET /ok', async () => {
    await h.start();
    const [command] = h.discord.commands.get(h.discord.guildId) as Array<{
      name: string;
      options: Array<{ name: string; options?: Array<{ name: string; autocomplete?: boolean }> }>;
    }>;
    expect(command!.name).toBe('sb');
    expect(command!.options.map((option) => option.name)).toEqual(['help', 'list', 'use', 'info', 'new', 'strategy', 'cancel', 'pair']);
    expect(command!.options.find((option) => option.name === 'use')!.options![0]).toMatchObject({ name: 'assistant', autocomplete: true });
    const ok = await fetch(`${h.t.url}/ok`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { platforms: { discord: Record<string, unknown> } }).platforms.discord).toMatchObject({
      gateway: 'ready',
      healthy: true,
      message_content_intent: true,
    });
  });

  it('a mention gets an answer streamed by edits; an answer over 2,000 characters is split, nothing lost, typing shown meanwhile', async () => {
    await h.start({ assistants: QUICK, chat: { assistant: 'quick', edit_interval_ms: 100 } });
    const long = Array.from({ length: 330 }, (_, index) => `word${index}`).join(' ');
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: long, mention: true });
    await eventually(() => expect(texts(GENERAL).join('')).toContain(FINAL), 15_000);
    await h.t.sb.chat.idle();
    const parts = texts(GENERAL);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    const joined = parts.join(' ').replace(/\s+/g, ' ');
    expect(joined).toContain(`You said: "${long}"`);
    expect(joined).not.toContain('…');
    expect(h.discord.callsTo(/^PATCH \/channels\/\d+\/messages\/\d+$/).length).toBeGreaterThan(1);
    expect(h.discord.callsTo(new RegExp(`^POST /channels/${GENERAL}/typing$`)).length).toBeGreaterThan(0);
  });

  it('only mentions are answered in a mentions-only channel (the channel is one conversation), own and bot messages never; what is said between is context for the next run', async () => {
    await h.start();
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'hello bot', mention: true });
    await eventually(() => expect(texts(GENERAL).at(-1)).toContain(FINAL), 10_000);
    h.discord.userMessage({ channel: GENERAL, user: 'bo', content: 'just chatting with ana' });
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'second question', mention: true });
    await eventually(() => expect(texts(GENERAL)).toHaveLength(2), 10_000);
    await h.t.sb.chat.idle();
    // "just chatting with ana" was not answered, but the next run has it, named for its author.
    expect(texts(GENERAL)[1]).toContain('You said: "second question". This is message 3 of our conversation. Earlier you said: "just chatting with ana"');
    expect(await humanMessages(GENERAL)).toEqual([
      ['ana', 'hello bot'],
      ['bo', 'just chatting with ana'],
      ['ana', 'second question'],
    ]);
    // The bot's own messages come back through the gateway: never answered.
    expect(texts(GENERAL)).toHaveLength(2);
  });

  it('a DM is its own conversation and needs no mention', async () => {
    await h.start();
    const dm = h.discord.dmChannel('bo');
    h.discord.userMessage({ channel: dm.id, user: 'bo', content: 'hi in private' });
    await eventually(() => expect(texts(dm.id).at(-1)).toContain('You said: "hi in private"'), 10_000);
    // The graph is told who is talking (a Discord identity is the user's id, the same in every guild) and that it is a DM.
    const [thread] = (await h.t.sb.engine.threads.search({ limit: 10 })).items;
    const [run] = await h.t.sb.engine.runs.list(thread!.thread_id);
    const configurable = run!.kwargs.config?.configurable as { langgraph_auth_user_id: string; langgraph_auth_user: Record<string, unknown>; chat: Record<string, unknown> };
    expect(configurable.langgraph_auth_user_id).toMatch(/^discord:[^:]+$/);
    expect(configurable.langgraph_auth_user).toMatchObject({ identity: configurable.langgraph_auth_user_id, display_name: 'bo', platform: 'discord' });
    expect(configurable.chat).toMatchObject({ platform: 'discord', channel: dm.id, is_direct: true });
  });

  it('mentioned in a Discord thread it was not part of, it reads the earlier messages of the thread first', async () => {
    await h.start({ chat: { context_messages: 2 } });
    const thread = h.discord.addThread(GENERAL, 'offsite planning', 'ana');
    h.discord.userMessage({ channel: thread.id, user: 'ana', content: 'too early to be read with a limit of 2' });
    h.discord.userMessage({ channel: thread.id, user: 'ana', content: 'Lisbon or Porto?' });
    h.discord.userMessage({ channel: thread.id, user: 'bo', content: 'Porto, cheaper in May' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    h.discord.userMessage({ channel: thread.id, user: 'cy', content: 'what did we decide?', mention: true });
    await eventually(() => expect(texts(thread.id).at(-1)).toContain('You said'), 10_000);
    await h.t.sb.chat.idle();
    const conversation = await conversationOf(GENERAL, thread.id);
    const state = await h.t.sb.engine.threads.getState(conversation!.thread_id);
    const said = (state.values.messages as Array<{ type: string; content: string; name?: string }>).slice(0, 3).map((message) => [message.type, message.name, message.content]);
    expect(said).toEqual([
      ['human', 'ana', 'Lisbon or Porto?'],
      ['human', 'bo', 'Porto, cheaper in May'],
      ['human', 'cy', 'what did we decide?'],
    ]);
    expect(h.discord.callsTo(new RegExp(`^GET /channels/${thread.id}/messages$`))).toHaveLength(1);
  });

  it('a mention that replies to a message reads the reply chain it answers first', async () => {
    await h.start();
    const first = h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'the build is red' });
    const second = h.discord.userMessage({ channel: GENERAL, user: 'bo', content: 'since the lodash bump', reference: first.id });
    h.discord.userMessage({ channel: GENERAL, user: 'cy', content: 'what should we do?', mention: true, reference: second.id });
    await eventually(() => expect(texts(GENERAL).at(-1)).toContain('You said: "what should we do?"'), 10_000);
    await h.t.sb.chat.idle();
    expect(await humanMessages(GENERAL)).toEqual([
      ['ana', 'the build is red'],
      ['bo', 'since the lodash bump'],
      ['cy', 'what should we do?'],
    ]);
  });

  it('DMs by pairing: an unknown person gets a code, an admin approves it with pair, then the person is answered', async () => {
    // ana is 400000000000000001 in the fake Discord.
    await h.start({ chat: { access: { dm: 'pairing', admins: ['discord:400000000000000001'] } } });
    const dm = h.discord.dmChannel('cy');
    h.discord.userMessage({ channel: dm.id, user: 'cy', content: 'hi there' });
    const told = await eventually(() => {
      const text = texts(dm.id).at(-1)!;
      expect(text).toMatch(/approve code `[A-Z2-9]{6}`/);
      return text;
    }, 10_000);
    const code = /`([A-Z2-9]{6})`/.exec(told)![1]!;
    expect((await h.t.sb.engine.threads.search({ limit: 10 })).total).toBe(0);
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: `pair ${code}`, mention: true });
    await eventually(() => expect(texts(GENERAL).at(-1)).toContain('can now talk to me in direct messages'), 10_000);
    h.discord.userMessage({ channel: dm.id, user: 'cy', content: 'hi again' });
    await eventually(() => expect(texts(dm.id).at(-1)).toContain('You said: "hi again"'), 10_000);
  });

  it('thread_per_conversation: a mention opens a Discord thread; the conversation continues there without mentions', async () => {
    await h.start({ platforms: { discord: { thread_per_conversation: true } } });
    const origin = h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'plan the offsite', mention: true });
    await eventually(() => expect(h.discord.channels.get(origin.id)?.type).toBe(11), 10_000);
    expect(h.discord.callsTo(new RegExp(`^POST /channels/${GENERAL}/messages/${origin.id}/threads$`))[0]!.body).toMatchObject({ name: 'plan the offsite' });
    await eventually(() => expect(texts(origin.id).at(-1)).toContain('You said: "plan the offsite"'), 10_000);
    expect(texts(GENERAL)).toEqual([]);
    h.discord.userMessage({ channel: origin.id, user: 'bo', content: 'and the budget?' });
    await eventually(() => expect(texts(origin.id).at(-1)).toContain('You said: "and the budget?". This is message 2'), 10_000);
    const conversation = await conversationOf(GENERAL, origin.id);
    expect(conversation).toBeTruthy();
  });

  it('/sb use with autocomplete switches the assistant on the same thread; answers are private and deferred', async () => {
    await h.start({ assistants: QUICK });
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'remote onboarding', mention: true });
    await eventually(() => expect(texts(GENERAL).at(-1)).toContain(FINAL), 10_000);
    const threadBefore = (await conversationOf(GENERAL))!.thread_id;

    const suggest = h.discord.slashCommand({
      channel: GENERAL,
      user: 'ana',
      sub: 'use',
      autocomplete: true,
      options: [{ name: 'assistant', type: 3, value: 'tw', focused: true }],
    });
    await eventually(() => expect(suggest.callbacks).toHaveLength(1));
    expect(suggest.callbacks[0]!.type).toBe(8);
    expect((suggest.callbacks[0]!.data!.choices as Array<{ name: string; value: string }>)[0]).toEqual({ name: 'tweet — Writes a tweet', value: 'tweet' });

    const use = h.discord.slashCommand({ channel: GENERAL, user: 'ana', sub: 'use', options: [{ name: 'assistant', type: 3, value: 'tweet' }] });
    await eventually(() => expect(String(use.original?.content)).toContain('Now using **tweet** in this conversation'));
    expect(use.callbacks[0]).toEqual({ type: 5, data: { flags: 64 } });

    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'now make it short', mention: true });
    await eventually(() => expect(texts(GENERAL).at(-1)).toContain('#'), 10_000);
    const conversation = await conversationOf(GENERAL);
    expect(conversation!.thread_id).toBe(threadBefore);
    const state = await h.t.sb.engine.threads.getState(threadBefore);
    const humans = (state.values.messages as Array<{ type: string; content: string }>).filter((message) => message.type === 'human').map((message) => message.content);
    expect(humans).toEqual(['remote onboarding', 'now make it short']);

    const info = h.discord.slashCommand({ channel: GENERAL, user: 'ana', sub: 'info' });
    await eventually(() => expect(String(info.original?.content)).toContain('**Assistant**: tweet'));
    const unknown = h.discord.slashCommand({ channel: GENERAL, user: 'ana', sub: 'use', options: [{ name: 'assistant', type: 3, value: 'nobody' }] });
    await eventually(() => expect(String(unknown.original?.content)).toContain('There is no assistant `nobody`'));
  });

  it('a 429 on an edit is waited out (Retry-After) and the edit lands', async () => {
    await h.start({ assistants: QUICK, chat: { assistant: 'slowtalker', edit_interval_ms: 100 } });
    h.discord.failNext(/^PATCH \/channels\/\d+\/messages\/\d+$/, { status: 429, retryAfter: 1 });
    h.discord.userMessage({ channel: WRITERS, user: 'ana', content: 'rate limit me', mention: true });
    await eventually(() => expect(texts(WRITERS).at(-1)).toContain(FINAL), 15_000);
    const edits = h.discord.callsTo(/^PATCH \/channels\/\d+\/messages\/\d+$/);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    // The refused edit and its retry, at least Retry-After apart.
    expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  describe('prompts as buttons', () => {
    async function ask(config: Record<string, unknown>) {
      await h.start({ chat: { assistant: 'approver', ...config } });
      h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'ship the release', mention: true });
      await eventually(() => expect(h.discord.botMessages(GENERAL).some((message) => message.components.length > 0)).toBe(true), 10_000);
      const prompt = h.discord.botMessages(GENERAL).find((message) => message.components.length > 0)!;
      const buttons = (prompt.components as Array<{ components: Array<{ custom_id: string; label: string; style: number }> }>).flatMap((row) => row.components);
      return { prompt, buttons };
    }
    const promptNow = (id: string) => h.discord.messages.get(id)!;

    it('an allowed click resumes the run and the message shows who chose what; another click is refused; a second click is stale', async () => {
      const { prompt, buttons } = await ask({ prompt_answerers: 'starter' });
      expect(buttons.map((button) => button.label)).toEqual(['Approve', 'Reject', 'Edit']);
      for (const button of buttons) expect(button.custom_id.length).toBeLessThanOrEqual(100);

      const refused = h.discord.click({ message: prompt.id, customId: buttons[0]!.custom_id, user: 'bo' });
      await eventually(() => expect(refused.followups.map((followup) => followup.content)).toEqual(['Only the person who asked can answer this.']));
      expect(refused.callbacks[0]!.type).toBe(6);
      expect(refused.followups[0]!.flags).toBe(64);
      expect(promptNow(prompt.id).components).not.toEqual([]);

      const allowed = h.discord.click({ message: prompt.id, customId: buttons[0]!.custom_id, user: 'ana' });
      await eventually(() => expect(promptNow(prompt.id).content).toContain('✅ **ana** chose **Approve**'), 10_000);
      expect(allowed.callbacks[0]!.type).toBe(6);
      expect(promptNow(prompt.id).components).toEqual([]);
      await eventually(() => expect(texts(GENERAL).at(-1)).toContain('Approved. Sent this to the team'), 10_000);

      const stale = h.discord.click({ message: prompt.id, customId: buttons[1]!.custom_id, user: 'ana' });
      await eventually(() => expect(stale.followups.map((followup) => followup.content)).toEqual(['Already answered by ana (Approve).']));
      await h.t.sb.chat.idle();
      expect(await h.t.sb.engine.runs.list((await conversationOf(GENERAL))!.thread_id)).toHaveLength(2);
    });

    it('a prompt limited to a role: a member with the role answers, others are refused', async () => {
      const { prompt, buttons } = await ask({ prompt_answerers: ['approvers'] });
      const refused = h.discord.click({ message: prompt.id, customId: buttons[1]!.custom_id, user: 'ana' });
      await eventually(() => expect(refused.followups).toHaveLength(1));
      expect(String(refused.followups[0]!.content)).toContain('approvers');
      h.discord.click({ message: prompt.id, customId: buttons[1]!.custom_id, user: 'cy' });
      await eventually(() => expect(promptNow(prompt.id).content).toContain('✅ **cy** chose **Reject**'), 10_000);
    });
  });
});
