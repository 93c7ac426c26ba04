import { afterEach, describe, expect, it } from 'vitest';
import type { AccessSpec, ChatSpec } from '../../src/config/schema.ts';
import { namesIdentity } from '../../src/chat/access.ts';
import { eventually, startTestChat, type TestChat } from '../helpers/chat.ts';

describe('chat: who may talk (chat.access)', () => {
  let t: TestChat | undefined;
  afterEach(async () => t?.dispose());
  const start = async (access: AccessSpec, more: Partial<ChatSpec> = {}) => {
    t = await startTestChat({ access, ...more });
    return t;
  };
  const runsOf = async (chat: TestChat) => (await chat.engine.threads.search({ limit: 100 })).total;
  const whispers = (chat: TestChat, user: string) => chat.adapter.ephemerals.filter((entry) => entry.userId === user).map((entry) => entry.markdown);

  it('a channel with a user list answers listed people (with or without the workspace part) and admins; others are told once, privately, and their message is recorded', async () => {
    // A Slack identity may be written with or without its workspace; a bare platform id names the person too.
    expect([
      namesIdentity('slack:U1', 'slack:T1:U1'),
      namesIdentity('slack:T1:U1', 'slack:T1:U1'),
      namesIdentity('slack:T2:U1', 'slack:T1:U1'),
      namesIdentity('U1', 'slack:T1:U1'),
    ]).toEqual([true, true, false, true]);
    const chat = await start({ users: ['memory:U1', 'U2'], admins: ['memory:U9'] });
    const listed = await chat.say('hello from ana', { user: 'U1' });
    const alsoListed = await chat.say('hello from bo', { user: 'U2' });
    const admin = await chat.say('hello from the admin', { user: 'U9' });
    await chat.chat.idle();
    for (const place of [listed, alsoListed, admin]) await eventually(() => expect(chat.adapter.texts(place).at(-1)).toMatch(/^You said/));
    await chat.say('let me in', { user: 'U3', name: 'cy' });
    await chat.say('please', { user: 'U3', name: 'cy' });
    await chat.chat.idle();
    expect(whispers(chat, 'U3')).toEqual(["Sorry, I only answer people on this channel's list. Ask an admin to add you."]);
    expect(await runsOf(chat)).toBe(3);
    const records = await chat.engine.storage.chat.collection<{ identity: string; reason: string; text: string }>('refused').list();
    expect(records.map(({ value }) => [value.identity, value.reason, value.text]).sort()).toEqual([
      ['memory:U3', 'not-allowed', 'let me in'],
      ['memory:U3', 'not-allowed', 'please'],
    ]);
  });

  it('direct messages: off refuses, allowlist takes only listed people, pairing gives a code that an admin approves with pair', async () => {
    const off = await start({ dm: 'off' });
    const dm = await off.say('hi', { user: 'U3', direct: true, channel: 'D3' });
    await off.chat.idle();
    await eventually(() => expect(off.adapter.texts(dm).at(-1)).toBe("I don't take direct messages here; mention me in a channel instead."));
    expect(await runsOf(off)).toBe(0);
    await off.dispose();

    const pairing = await start({ dm: 'pairing', admins: ['memory:U9'] });
    t = pairing;
    const place = await pairing.say('hi', { user: 'U3', name: 'cy', direct: true, channel: 'D3', thread: 'D3' });
    await pairing.chat.idle();
    const told = await eventually(() => {
      const text = pairing.adapter.texts(place).at(-1)!;
      expect(text).toMatch(/approve code `[A-Z2-9]{6}`/);
      return text;
    });
    const code = /`([A-Z2-9]{6})`/.exec(told)![1]!;
    expect(await runsOf(pairing)).toBe(0);
    // A non-admin cannot approve; an admin can, after which the person is answered.
    await pairing.say(`pair ${code}`, { user: 'U4', channel: 'C1' });
    await pairing.chat.idle();
    await pairing.say(`pair ${code}`, { user: 'U9', channel: 'C1' });
    await pairing.chat.idle();
    const replies = pairing.adapter.messages.filter((entry) => entry.place.channel === 'C1').map((entry) => entry.message.markdown);
    expect(replies).toEqual(expect.arrayContaining(['Only admins can approve pairing codes.', 'Approved: **cy** (`memory:U3`) can now talk to me in direct messages.']));
    await pairing.say('hi again', { user: 'U3', name: 'cy', direct: true, channel: 'D3', thread: 'D3' });
    await pairing.chat.idle();
    await eventually(() => expect(pairing.adapter.texts(place).at(-1)).toMatch(/^You said: "hi again"/));
  });

  it('commands: admins lets only admins change a conversation; rate_per_minute refuses the run past the limit', async () => {
    const chat = await start({ commands: 'admins', admins: ['memory:U9'], rate_per_minute: 2 });
    const place = await chat.say('first', { user: 'U1' });
    await chat.chat.idle();
    await chat.say('use tweet', { user: 'U1', thread: place.thread! });
    await chat.chat.idle();
    await eventually(() => expect(chat.adapter.texts(place).at(-1)).toBe('Only admins can `use` here.'));
    await chat.say('use tweet', { user: 'U9', thread: place.thread! });
    await chat.chat.idle();
    await eventually(() => expect(chat.adapter.texts(place).at(-1)).toContain('Now using **tweet**'));
    await chat.say('second', { user: 'U1', thread: place.thread! });
    await chat.say('third', { user: 'U1', thread: place.thread! });
    await chat.chat.idle();
    expect(whispers(chat, 'U1')).toEqual([expect.stringMatching(/^You've started 2 runs in the last minute, the most allowed here; try again in \d+ s\.$/)]);
    const conversation = await chat.chat.conversations.find(place);
    expect(await chat.engine.runs.list(conversation!.thread_id)).toHaveLength(2);
  });
});
