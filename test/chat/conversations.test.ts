import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageKey } from '../../src/chat/chat.ts';
import type { IncomingMessage, Place } from '../../src/chat/types.ts';
import { eventually, startTestChat, type TestChat } from '../helpers/chat.ts';

describe('chat: conversations, policy and commands', () => {
  let t: TestChat;
  beforeEach(async () => {
    t = await startTestChat();
  });
  afterEach(async () => t.dispose());

  const last = (place: Place) => t.adapter.texts(place).at(-1) ?? '';

  it('a thread of messages is one conversation on one engine thread; another thread is another', async () => {
    const first = await t.say('hello there');
    await t.chat.idle();
    await t.say('and again', { thread: first.thread! });
    await t.chat.idle();
    expect(last(first)).toContain('This is message 2 of our conversation');
    const other = await t.say('a new topic');
    await t.chat.idle();
    expect(last(other)).toContain('This is message 1');
    const a = await t.chat.conversations.find(first);
    const b = await t.chat.conversations.find(other);
    expect(a!.thread_id).not.toBe(b!.thread_id);
  });

  it('in a mentions-only channel: answers mentions and threads it is part of, ignores the rest', async () => {
    const ignored = await t.say('just chatting', { mention: false });
    await t.chat.idle();
    expect(t.adapter.in(ignored)).toHaveLength(0);
    const started = await t.say('hey bot');
    await t.chat.idle();
    expect(t.adapter.in(started)).toHaveLength(1);
    await t.say('follow-up without a mention', { thread: started.thread!, mention: false });
    await t.chat.idle();
    expect(t.adapter.in(started)).toHaveLength(2);
  });

  it('a channel set to respond to all messages answers without mentions; direct messages always answer', async () => {
    await t.dispose();
    t = await startTestChat({ channels: [{ platform: 'memory', channel: 'C-ALL', respond: 'all' }] });
    const open = await t.say('anyone?', { channel: 'C-ALL', mention: false });
    const direct = await t.say('hi in private', { channel: 'D1', mention: false, direct: true });
    await t.chat.idle();
    expect(t.adapter.in(open)).toHaveLength(1);
    expect(t.adapter.in(direct)).toHaveLength(1);
  });

  it('never answers itself, ignores other bots by default, and only answers allowed users', async () => {
    await t.dispose();
    t = await startTestChat({ channels: [{ platform: 'memory', channel: 'C-VIP', allowed_users: ['U-VIP'] }] });
    const self = await t.say('echo', { user: 'BOT' });
    const bot = await t.say('beep', { user: 'B2', bot: true });
    const stranger = await t.say('let me in', { channel: 'C-VIP', user: 'U-X' });
    const vip = await t.say('hello', { channel: 'C-VIP', user: 'U-VIP' });
    await t.chat.idle();
    expect(t.adapter.in(self)).toHaveLength(0);
    expect(t.adapter.in(bot)).toHaveLength(0);
    expect(t.adapter.in(stranger)).toHaveLength(0);
    expect(t.adapter.in(vip)).toHaveLength(1);
  });

  it('answers other bots when the channel allows it', async () => {
    await t.dispose();
    t = await startTestChat({ answer_bots: true });
    const bot = await t.say('beep', { user: 'B2', bot: true });
    await t.chat.idle();
    expect(t.adapter.in(bot)).toHaveLength(1);
  });

  it('the same message delivered twice (a retry, or app_mention and message) starts one run', async () => {
    const place = await t.say('only once', { ts: '1800000000.000001', eventId: 'Ev1' });
    await t.say('only once', { ts: '1800000000.000001', eventId: 'Ev2' });
    await t.say('only once', { ts: '1800000000.000002', eventId: 'Ev1' });
    await t.chat.idle();
    expect(t.adapter.in(place)).toHaveLength(1);
    const conversation = await t.chat.conversations.find(place);
    expect(await t.engine.runs.list(conversation!.thread_id)).toHaveLength(1);
  });

  it('remembers deliveries across a restart', async () => {
    const place = await t.say('before restart', { ts: '1800000001.000001', eventId: 'EvR' });
    await t.restart();
    await t.say('before restart', { ts: '1800000001.000001', eventId: 'EvR' });
    await t.chat.idle();
    expect(t.adapter.in(place)).toHaveLength(1);
  });

  const crashedMessage = (text: string, ts: string, thread = ts): IncomingMessage => ({
    place: { platform: 'memory', workspace: 'T1', channel: 'C1', thread },
    messageId: ts,
    user: { id: 'U1', name: 'ana', isBot: false },
    text,
    mentionsBot: true,
    isDirect: false,
  });

  it('a message accepted but not acted on before a crash is answered at the next start', async () => {
    // The state a crash leaves between acknowledging a message and starting its run.
    const message = crashedMessage('left behind', '1800000002.000001');
    expect(await t.engine.storage.chat.inbox().accept(messageKey(message), 60_000, message)).toBe(true);
    await t.restart();
    await eventually(() => expect(last(message.place)).toContain('You said: "left behind"'));
    await t.chat.idle();
    // Acted on once: another restart does not answer it again, and a late retry is ignored.
    await t.restart();
    await t.chat.handleMessage(message);
    await t.chat.idle();
    expect(t.adapter.in(message.place)).toHaveLength(1);
  });

  it('a message whose run started before a crash is answered by that run, not a second one', async () => {
    const place = await t.say('first', { ts: '1800000003.000001' });
    await t.chat.idle();
    const conversation = (await t.chat.conversations.find(place))!;
    const message = crashedMessage('second', '1800000003.000002', place.thread);
    // The crash came after the run was created and before its reply was recorded.
    expect(await t.engine.storage.chat.inbox().accept(messageKey(message), 60_000, message)).toBe(true);
    await t.engine.runs.create(conversation.thread_id, {
      assistant_id: (await t.engine.assistants.findByIdOrName('talker'))!.assistant_id,
      input: { messages: [{ role: 'user', content: 'second' }] },
      metadata: { message: message.messageId },
    });
    await t.restart();
    await eventually(() => expect(last(place)).toContain('You said: "second"'));
    await t.chat.idle();
    expect(await t.engine.runs.list(conversation.thread_id)).toHaveLength(2);
    expect(t.adapter.in(place)).toHaveLength(2);
  });

  it('switching assistant mid-conversation keeps the thread: the new assistant sees the history', async () => {
    const place = await t.say('remote onboarding');
    await t.chat.idle();
    await t.say('use tweet', { thread: place.thread! });
    await t.chat.idle();
    expect(last(place)).toContain('Now using **tweet**');
    await t.say('make it short', { thread: place.thread! });
    await t.chat.idle();
    const conversation = await t.chat.conversations.find(place);
    const state = await t.engine.threads.getState(conversation!.thread_id);
    const humans = (state.values.messages as Array<{ type: string; content: string }>).filter((message) => message.type === 'human').map((message) => message.content);
    expect(humans).toEqual(['remote onboarding', 'make it short']);
    expect(last(place)).toContain('#');
    expect((await t.engine.threads.get(conversation!.thread_id)).metadata.assistant_id).toBe((await t.engine.assistants.findByIdOrName('tweet'))!.assistant_id);
  });

  it('assistant order: the conversation, then the channel default, then the config default', async () => {
    const before = await t.say('which one?', { channel: 'C9' });
    await t.chat.idle();
    expect(last(before)).toContain('You said');
    const conversationCommand = await t.say('use tweet --channel', { channel: 'C9' });
    await t.chat.idle();
    expect(last(conversationCommand)).toContain('default assistant of this channel');
    const after = await t.say('launch day', { channel: 'C9' });
    await t.chat.idle();
    expect(last(after)).toContain('#');
    await t.say('use talker', { channel: 'C9', thread: after.thread! });
    await t.say('again please', { channel: 'C9', thread: after.thread! });
    await t.chat.idle();
    expect(last(after)).toContain('You said: "again please"');
  });

  it('commands: help, list, info, new, strategy, cancel, and unknown ones', async () => {
    const place = await t.say('help');
    expect(last(place)).toContain('**Commands**');
    await t.say('list', { thread: place.thread! });
    await eventually(() => expect(last(place)).toContain('**tweet**'));
    await t.say('info', { thread: place.thread! });
    await eventually(() => expect(last(place)).toContain('**Strategy**: `enqueue`'));
    await t.say('strategy interrupt', { thread: place.thread! });
    await t.say('info', { thread: place.thread! });
    await eventually(() => expect(last(place)).toContain('**Strategy**: `interrupt`'));
    await t.say('strategy sometimes', { thread: place.thread! });
    await eventually(() => expect(last(place)).toContain('choose one of: reject, enqueue, interrupt, rollback, collect'));
    const before = (await t.chat.conversations.find(place))!.thread_id;
    await t.say('new', { thread: place.thread! });
    await eventually(() => expect(last(place)).toContain('Started a fresh thread'));
    expect((await t.chat.conversations.find(place))!.thread_id).not.toBe(before);
    await t.say('cancel', { thread: place.thread! });
    await eventually(() => expect(last(place)).toBe('Nothing is running here.'));
    await t.say('use nobody', { thread: place.thread! });
    await eventually(() => expect(last(place)).toContain('There is no assistant `nobody`'));
    expect(last(place)).toContain('**talker**');
  });

  it('a message that only starts with a command word is a message ("new ideas for…")', async () => {
    const place = await t.say('new ideas for the launch');
    await t.chat.idle();
    expect(last(place)).toContain('You said: "new ideas for the launch"');
  });

  it('slash commands answer privately through the command', async () => {
    const answers: string[] = [];
    await t.chat.handleCommand({
      place: { platform: 'memory', workspace: 'T1', channel: 'C1' },
      user: { id: 'U1' },
      text: 'frobnicate',
      reply: async (text) => void answers.push(text),
    });
    expect(answers[0]).toContain('unknown command `frobnicate`');
  });
});
