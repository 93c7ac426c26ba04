import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestChat, type TestChat } from '../helpers/chat.ts';

describe('chat: a graph knows who is talking', () => {
  let t: TestChat | undefined;
  afterEach(async () => t?.dispose());

  it('the example chat graph keeps what a person asks it to remember under their identity and uses it in their later conversations, for them only', async () => {
    t = await startTestChat();
    const chat = t;
    const first = await chat.say('remember that I prefer short answers', { user: 'U1', name: 'ana' });
    await chat.chat.idle();
    await eventually(() => expect(chat.adapter.texts(first).at(-1)).toMatch(/^You said/));
    // A new conversation, another thread: the memory follows the person.
    const later = await chat.say('how do I deploy?', { user: 'U1', name: 'ana' });
    const other = await chat.say('how do I deploy?', { user: 'U2', name: 'bo' });
    await chat.chat.idle();
    await eventually(() => expect(chat.adapter.texts(later).at(-1)).toBe('You said: "how do I deploy?".'));
    await eventually(() => expect(chat.adapter.texts(other).at(-1)).toContain('This is message 1 of our conversation.'));
    const kept = await chat.engine.storage.store.search(['memories', 'memory', 'U1']);
    expect(kept.map((item) => item.value)).toEqual([{ text: 'I prefer short answers' }]);
    expect(await chat.engine.storage.store.search(['memories', 'memory', 'U2'])).toEqual([]);
  });

  it('with respond: mentions, a thread the bot is part of answers only mentions; what is said between is context for the next run', async () => {
    t = await startTestChat({ respond: 'mentions' });
    const chat = t;
    const place = await chat.say('start the retro', { user: 'U1', name: 'ana' });
    await chat.chat.idle();
    await eventually(() => expect(chat.adapter.texts(place)).toHaveLength(1));
    await chat.say('I think the deploy went fine', { user: 'U2', name: 'bo', thread: place.thread!, mention: false });
    await chat.chat.idle();
    expect(chat.adapter.texts(place)).toHaveLength(1);
    await chat.say('sum it up', { user: 'U1', name: 'ana', thread: place.thread!, mention: true });
    await chat.chat.idle();
    await eventually(() =>
      expect(chat.adapter.texts(place).at(-1)).toContain('You said: "sum it up". This is message 3 of our conversation. Earlier you said: "I think the deploy went fine"'),
    );
  });
});
