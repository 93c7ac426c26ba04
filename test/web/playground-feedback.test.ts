/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import { HAS_BROWSER } from '../helpers/browser.ts';
import { eventually } from '../helpers/chat.ts';
import { playgroundSuite } from '../helpers/playground-suite.ts';

const FINAL = "(I am Switchboard's built-in offline model";

describe.skipIf(!HAS_BROWSER)('playground feedback in a real browser', () => {
  const suite = playgroundSuite();

  it('a finished answer shows 👍/👎; a click is stored with the run as web:<name>, a second click changes the vote, another person adds theirs', async () => {
    const ana = await suite.open('ana');
    await ana.say('rate me in the browser');
    await eventually(async () => expect(await ana.lastReply()).toContain(FINAL), 10_000);
    const answer = ana.botReplies.last();
    await answer.locator('[data-testid=feedback-up]').waitFor();
    // Only the final answer has them: the person's own message does not.
    expect(await ana.page.locator('[data-testid=thread-messages] [data-testid=feedback]').count()).toBe(1);

    const conversation = await suite.t.sb.chat.conversations.find({ platform: 'web', workspace: 'local', channel: 'general', thread: ana.threadId() });
    const [run] = await suite.t.sb.engine.runs.list(conversation!.thread_id);
    const feedback = async () =>
      (await (await fetch(`${suite.t.url}/threads/${conversation!.thread_id}/runs/${run!.run_id}/feedback`)).json()) as Array<{ user: string; score: number; key: string }>;

    await answer.locator('[data-testid=feedback-up]').click();
    await eventually(async () => expect((await ana.texts(ana.notices)).at(-1)).toContain('Thanks for the feedback (👍).'));
    expect(await feedback()).toEqual([{ key: 'user_score', score: 1, user: 'web:ana', at: expect.any(String) }]);
    await eventually(async () => expect(await answer.locator('[data-testid=feedback-up]').getAttribute('aria-pressed')).toBe('true'));

    await answer.locator('[data-testid=feedback-down]').click();
    await eventually(async () => expect((await feedback()).map((vote) => [vote.user, vote.score])).toEqual([['web:ana', 0]]));
    await eventually(async () => expect(await answer.locator('[data-testid=feedback-down]').getAttribute('aria-pressed')).toBe('true'));
    expect(await answer.locator('[data-testid=feedback-up]').getAttribute('aria-pressed')).toBe('false');

    const bo = await suite.open('bo', `/#/general/${ana.threadId()}`);
    await bo.botReplies.last().locator('[data-testid=feedback-up]').click();
    await eventually(async () =>
      expect((await feedback()).map((vote) => [vote.user, vote.score])).toEqual([
        ['web:ana', 0],
        ['web:bo', 1],
      ]),
    );
  });
});
