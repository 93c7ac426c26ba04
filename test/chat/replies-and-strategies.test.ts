import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { splitMessage } from '../../src/chat/split.ts';
import { DeliveryError } from '../../src/chat/types.ts';
import { eventually, startTestChat, type TestChat } from '../helpers/chat.ts';

describe('chat: replies', () => {
  let t: TestChat;
  beforeEach(async () => {
    t = await startTestChat({ assistant: 'slowtalker' });
  });
  afterEach(async () => t.dispose());

  it('streams the answer by edits no more often than the edit interval, shows busy, and ends with the full answer', async () => {
    const place = await t.say('tell me something long enough to stream');
    await t.chat.idle();
    const [reply] = t.adapter.in(place);
    expect(reply!.message.markdown).toMatch(/^You said: "tell me something long enough to stream"\. This is message 1/);
    // Partial texts first, each a prefix of the next, then the final text.
    const versions = reply!.history.map((version) => version.markdown);
    expect(versions.length).toBeGreaterThan(2);
    for (let i = 1; i < versions.length; i += 1) expect(versions[i]!.startsWith(versions[i - 1]!.replace(/\s+$/, ''))).toBe(true);
    const edits = t.adapter.calls.filter((call) => call.kind === 'update').map((call) => call.at);
    for (let i = 1; i < edits.length - 1; i += 1) expect(edits[i]! - edits[i - 1]!).toBeGreaterThanOrEqual(150);
    expect(t.adapter.statuses.map((status) => status.busy)).toEqual([true, false]);
  });

  it('a graph error becomes a short notice in the conversation', async () => {
    await t.engine.assistants.create({ graph_id: 'failing', name: 'broken' });
    const place = await t.say('use broken');
    await t.say('go', { thread: place.thread! });
    await t.chat.idle();
    const text = t.adapter.texts(place).at(-1)!;
    expect(text).toContain('Sorry, something went wrong while answering');
    expect(text).not.toContain('exploded');
  });

  it('splits a reply over the platform limit into several messages without losing text', async () => {
    await t.dispose();
    t = await startTestChat({ assistant: 'talker' });
    (t.adapter as { maxMessageChars: number }).maxMessageChars = 120;
    const place = await t.say('x'.repeat(150));
    await t.chat.idle();
    const parts = t.adapter.texts(place);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(120);
    expect(parts.join('')).toContain('x'.repeat(150));
  });

  it('splitting keeps every character and keeps code blocks closed in each part', () => {
    const text = `Intro.\n\n\`\`\`js\n${'const a = 1;\n'.repeat(30)}\`\`\`\n\nThe end ${'word '.repeat(60)}`;
    const parts = splitMessage(text, 150);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(150);
      expect((part.match(/```/g) ?? []).length % 2).toBe(0);
    }
    const rejoined = parts
      .join('\n')
      .replace(/```(js)?\n?/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    expect(rejoined).toBe(
      text
        .replace(/```(js)?\n?/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  });

  it('retries a reply refused with 429 after Retry-After, and with backoff after a 5xx', async () => {
    t.adapter.failNextSends.push(new DeliveryError('ratelimited', { retryAfterMs: 300 }), new DeliveryError('server error 503'));
    const place = await t.say('are you rate limited?');
    await t.chat.idle();
    await eventually(() => expect(t.adapter.in(place)).toHaveLength(1), 10_000);
    expect(t.adapter.texts(place)[0]).toContain('You said: "are you rate limited?"');
    // Three sends of the one reply: refused with 429, refused with 503, taken.
    const sends = t.adapter.calls.filter((call) => call.kind === 'send').map((call) => call.at);
    expect(sends).toHaveLength(3);
    expect(sends[1]! - sends[0]!).toBeGreaterThanOrEqual(300);
    // After the 5xx the outbox backs off (a second failure: 2 s), never retrying at once.
    expect(sends[2]! - sends[1]!).toBeGreaterThanOrEqual(1_000);
  });

  it('delivers after a restart a reply the platform did not take before', async () => {
    for (let i = 0; i < 50; i += 1) t.adapter.failNextSends.push(new DeliveryError('platform down'));
    const place = await t.say('will you remember me?');
    await eventually(async () => expect((await t.engine.storage.chat.collection('outbox').list()).length).toBeGreaterThan(0));
    await t.chat.stop();
    t.adapter.failNextSends.length = 0;
    await t.restart();
    await eventually(() => expect(t.adapter.in(place)).toHaveLength(1));
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(place)[0]).toContain('You said: "will you remember me?"'));
    expect(await t.engine.storage.chat.collection('outbox').list()).toEqual([]);
  });
});

describe('chat: double texting under 5 rapid messages', () => {
  let t: TestChat;
  afterEach(async () => t.dispose());

  async function burst(strategy: string) {
    t = await startTestChat({ assistant: 'slowtalker', strategy: strategy as never });
    const place = await t.say('first');
    for (const text of ['second', 'third', 'fourth', 'fifth']) await t.say(text, { thread: place.thread! });
    const conversation = await t.chat.conversations.find(place);
    await eventually(async () => expect((await t.engine.runs.list(conversation!.thread_id)).length).toBeGreaterThan(0));
    await t.chat.idle();
    await eventually(async () => expect(t.chat.outbox.pendingCount()).toBe(0));
    const state = await t.engine.threads.getState(conversation!.thread_id);
    const humans = (state.values.messages as Array<{ type: string; content: string }>).filter((message) => message.type === 'human').map((message) => message.content);
    return { place, humans, runs: await t.engine.runs.list(conversation!.thread_id, { limit: 100 }) };
  }

  it('enqueue answers every message, in order', async () => {
    const { place, humans } = await burst('enqueue');
    expect(humans).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
    const replies = t.adapter.texts(place);
    expect(replies).toHaveLength(5);
    replies.forEach((reply, index) => {
      expect(reply).toContain(`This is message ${index + 1}`);
    });
  });

  it('a burst delivered all at once (as concurrent requests) is handled in arrival order, none dropped', async () => {
    t = await startTestChat({ assistant: 'slowtalker' });
    const root = '1900000000.000001';
    const place = { platform: 'memory', workspace: 'T1', channel: 'C1', thread: root };
    // Only the first mentions the bot: the others count because the conversation it opened exists.
    await Promise.all(
      ['first', 'second', 'third', 'fourth', 'fifth'].map((text, index) =>
        t.say(text, index === 0 ? { ts: root } : { thread: root, ts: `1900000000.00000${index + 1}`, mention: false }),
      ),
    );
    const conversation = await t.chat.conversations.find(place);
    await t.chat.idle();
    const state = await t.engine.threads.getState(conversation!.thread_id);
    const humans = (state.values.messages as Array<{ type: string; content: string }>).filter((message) => message.type === 'human').map((message) => message.content);
    expect(humans).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
  });

  it('reject keeps the first run and tells the others privately that the bot is busy', async () => {
    const { place, humans } = await burst('reject');
    expect(humans).toEqual(['first']);
    expect(t.adapter.texts(place)).toHaveLength(1);
    expect(t.adapter.ephemerals).toHaveLength(4);
    expect(t.adapter.ephemerals[0]!.markdown).toContain("I'm still working on the previous message");
  });

  it('interrupt stops the run in flight for the newest message, which is answered in full', async () => {
    const { place, humans, runs } = await burst('interrupt');
    // Runs stopped before they started still leave their message in the conversation.
    expect(humans).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
    expect(runs[0]!.status).toBe('success');
    expect(runs.slice(1).every((run) => run.status === 'interrupted')).toBe(true);
    expect(t.adapter.texts(place).at(-1)).toContain('You said: "fifth"');
  });

  it('rollback erases the earlier runs: the thread holds only the newest message', async () => {
    const { place, humans } = await burst('rollback');
    expect(humans).toEqual(['fifth']);
    expect(t.adapter.texts(place).at(-1)).toContain('You said: "fifth". This is message 1');
  });

  it('collect waits for a quiet moment and answers the burst as one message', async () => {
    const { place, humans, runs } = await burst('collect');
    expect(runs).toHaveLength(1);
    expect(humans).toEqual(['first\nsecond\nthird\nfourth\nfifth']);
    expect(t.adapter.texts(place)).toHaveLength(1);
  });
});
