/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import { artifactPath, freePort, HAS_BROWSER } from '../helpers/browser.ts';
import { eventually } from '../helpers/chat.ts';
import { playgroundSuite } from '../helpers/playground-suite.ts';

const FINAL = "(I am Switchboard's built-in offline model";
/** The last words of a complete answer: a stopped answer never has them. */
const ANSWER_END = 'for real answers.)';

describe.skipIf(!HAS_BROWSER)('the web playground in a real browser', () => {
  const suite = playgroundSuite();

  /** A page as `name`; the test's Switchboard starts on `config` with its first page. */
  async function open(name: string, config: Record<string, unknown> = {}) {
    await suite.start(config);
    return suite.open(name);
  }

  it('a message gets an answer streamed into its thread, with a busy indicator while the run is in flight', async () => {
    const ana = await open('ana', { chat: { assistant: 'slowtalker' } });
    await ana.say('tell me about onboarding');
    // Partway: the answer has started and is not finished, and the page says the bot is working.
    await ana.page.waitForFunction(
      (final) => {
        const replies = document.querySelectorAll('[data-testid=thread-messages] [data-author=switchboard]');
        const text = replies[replies.length - 1]?.textContent ?? '';
        return text.includes('You said') && !text.includes(final) && !document.querySelector('[data-testid=typing]')?.hasAttribute('hidden');
      },
      FINAL,
      { timeout: 10_000, polling: 10 },
    );
    await eventually(async () => expect(await ana.lastReply()).toContain(FINAL), 10_000);
    await eventually(async () => expect(await ana.page.locator('[data-testid=typing]').isHidden()).toBe(true));
    expect(await ana.lastReply()).toContain('You said: "tell me about onboarding"');
    await eventually(async () => expect(await ana.info('last-run')).toBe('success'));
    expect(await ana.info('assistant')).toContain('slowtalker');
    expect(await ana.info('thread')).toMatch(/^[0-9a-f-]{36}$/);
    // The thread's state, as JSON from the LangGraph API, is one click away.
    const state = (await (await fetch(new URL((await ana.page.locator('[data-testid=link-state]').getAttribute('href'))!, `${suite.t.url}/`))).json()) as {
      values: { messages: Array<{ content: string }> };
    };
    expect(state.values.messages.at(-1)!.content).toContain('You said: "tell me about onboarding"');
  });

  it('switches assistant mid-conversation with /sb use, on the same thread', async () => {
    const ana = await open('ana');
    await ana.say('remote onboarding');
    await eventually(async () => expect(await ana.lastReply()).toContain('You said'), 10_000);
    const threadBefore = await ana.info('thread');
    await ana.reply('/sb use tweet');
    await eventually(async () => expect((await ana.texts(ana.notices)).join(' ')).toContain('Now using tweet in this conversation'));
    await eventually(async () => expect(await ana.info('assistant')).toContain('tweet'));
    await ana.reply('make it short');
    await eventually(async () => expect(await ana.botReplies.count()).toBe(2), 10_000);
    await eventually(async () => expect(await ana.lastReply()).toContain('#'), 10_000);
    expect(await ana.info('thread')).toBe(threadBefore);
  });

  it('an interrupt shows buttons; a click resumes the run and the prompt shows who chose what', async () => {
    const ana = await open('ana', { chat: { assistant: 'approver' } });
    await ana.say('ship the release notes for 2.0');
    const approve = ana.page.locator('[data-testid=thread-messages] .prompt button', { hasText: 'Approve' });
    await approve.waitFor({ timeout: 10_000 });
    expect(await ana.info('status')).toBe('interrupted');
    await approve.click();
    await ana.page.locator('[data-testid=thread-messages] [data-testid=answered]').waitFor();
    expect(await ana.page.locator('[data-testid=thread-messages] [data-testid=answered]').textContent()).toMatch(/ana\s*chose\s*Approve/);
    await eventually(async () => expect(await ana.lastReply()).toContain('Approved. Sent this to the team'), 10_000);
    expect(await ana.page.locator('[data-testid=thread-messages] .prompt button').count()).toBe(0);
    await eventually(async () => expect(await ana.info('last-run')).toBe('success'));
    await ana.page.screenshot({ path: artifactPath('playground-answered-prompt.png') });
  });

  it("refuses a second user's click when only the starter may answer, and explains a stale click", async () => {
    const ana = await open('ana', { chat: { assistant: 'approver', prompt_answerers: 'starter' } });
    await ana.say('ship it');
    const thread = ana.threadId();
    const bo = await open('bo');
    await bo.page.goto(`${suite.t.url}/#/general/${thread}`);
    await bo.connected();
    const boApprove = bo.page.locator('[data-testid=thread-messages] .prompt button', { hasText: 'Approve' });
    await boApprove.waitFor({ timeout: 10_000 });
    await boApprove.click();
    await eventually(async () => expect((await bo.texts(bo.notices)).join(' ')).toContain('Only the person who asked can answer this.'));
    // Private: ana does not see bo's refusal, and the question is still open.
    expect(await ana.notices.count()).toBe(0);
    expect(await ana.page.locator('[data-testid=thread-messages] [data-testid=answered]').count()).toBe(0);

    await ana.page.locator('[data-testid=thread-messages] .prompt button', { hasText: 'Reject' }).click();
    await eventually(async () => expect(await ana.lastReply()).toContain('Rejected'), 10_000);
    // bo's page follows: the buttons are gone and it shows who answered.
    await bo.page.locator('[data-testid=thread-messages] [data-testid=answered]').waitFor();
    expect(await bo.page.locator('[data-testid=thread-messages] [data-testid=answered]').textContent()).toMatch(/ana\s*chose\s*Reject/);
    // A second click on the answered question (a double click, a page that had not caught up) is explained, not acted on.
    const prompt = await bo.page.evaluate(async (id) => {
      const response = await fetch(`/playground/api/channels/general/messages`);
      const { messages } = (await response.json()) as { messages: Array<{ thread: string; prompt?: { promptId: string } }> };
      return messages.find((message) => message.thread === id && message.prompt)?.prompt?.promptId;
    }, thread);
    await bo.page.evaluate(
      async ([id, promptId]) =>
        fetch('/playground/api/actions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'ana', channel: 'general', thread: id, promptId, optionIndex: 0 }),
        }),
      [thread, prompt] as const,
    );
    await eventually(async () => expect((await ana.texts(ana.notices)).join(' ')).toContain('Already answered by ana (Reject)'));
    const conversation = await suite.t.sb.chat.conversations.find({ platform: 'web', workspace: 'local', channel: 'general', thread });
    expect(await suite.t.sb.engine.runs.list(conversation!.thread_id)).toHaveLength(2);
  });

  it('rapid messages under enqueue: every one answered, in order', async () => {
    const ana = await open('ana', { chat: { assistant: 'slowtalker' } });
    await ana.say('first');
    for (const text of ['second', 'third']) await ana.reply(text);
    await eventually(async () => expect(await ana.botReplies.count()).toBe(3), 20_000);
    await eventually(async () => expect(await ana.info('last-run')).toBe('success'), 20_000);
    await eventually(async () => expect(await ana.page.locator('[data-testid=typing]').isHidden()).toBe(true), 10_000);
    const replies = await ana.texts(ana.botReplies);
    expect(replies.map((reply) => reply.match(/You said: "(\w+)"/)?.[1])).toEqual(['first', 'second', 'third']);
    expect(replies.every((reply) => reply.includes(FINAL))).toBe(true);
  });

  it('rapid messages under interrupt: the answer in flight stops, the newest is answered in full', async () => {
    const ana = await open('ana', { chat: { assistant: 'slowtalker', strategy: 'interrupt' } });
    await ana.say('first');
    await ana.page.waitForFunction(() => (document.querySelector('[data-testid=thread-messages] [data-author=switchboard]')?.textContent ?? '').includes('You said'), null, {
      timeout: 10_000,
    });
    await ana.reply('second');
    await ana.reply('third');
    await eventually(async () => expect(await ana.lastReply()).toMatch(/You said: "third".*I am Switchboard's built-in offline model/), 20_000);
    await eventually(async () => expect(await ana.page.locator('[data-testid=typing]').isHidden()).toBe(true), 10_000);
    const replies = await ana.texts(ana.botReplies);
    expect(replies[0]).toContain('You said: "first"');
    expect(replies[0]).toContain('(stopped)');
    // On a loaded machine the stop can land late in the answer, but never after its last words.
    expect(replies[0]).not.toContain(ANSWER_END);
    expect(await ana.info('strategy')).toBe('interrupt');
  });

  it('survives a server restart: the page reconnects, keeps working, and a reload shows the history from storage', async () => {
    const port = await freePort();
    const ana = await open('ana', { server: { port } });
    await ana.say('before the restart');
    await eventually(async () => expect(await ana.lastReply()).toContain('You said: "before the restart"'), 10_000);
    const thread = ana.threadId();

    await suite.t.sb.stop();
    await ana.page.locator('[data-testid=connection][data-state=reconnecting]').waitFor({ timeout: 10_000 });
    await suite.t.restart();
    await ana.connected();
    await ana.reply('after the restart');
    await eventually(async () => expect(await ana.lastReply()).toContain('You said: "after the restart". This is message 2'), 10_000);

    await ana.page.reload();
    await ana.connected();
    expect(ana.threadId()).toBe(thread);
    await eventually(async () => expect(await ana.texts(ana.threadMessages)).toHaveLength(4));
    const texts = await ana.texts(ana.threadMessages);
    expect(texts[0]).toContain('before the restart');
    expect(texts[2]).toContain('after the restart');
    expect(await ana.page.locator('[data-testid=name]').inputValue()).toBe('ana');
  });
});
