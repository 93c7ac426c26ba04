/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HAS_BROWSER, launchBrowser } from '../helpers/browser.ts';
import { eventually } from '../helpers/chat.ts';
import { PlaygroundPage } from '../helpers/playground.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

const FINAL = "(I am Switchboard's built-in offline model";

describe.skipIf(!HAS_BROWSER)('playground feedback in a real browser', () => {
  let browser: Browser;
  let t: TestSwitchboard | undefined;
  const pages: PlaygroundPage[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    await t?.dispose();
    t = undefined;
  });

  it('a finished answer shows 👍/👎; a click is stored with the run as web:<name>, a second click changes the vote, another person adds theirs', async () => {
    t = await startTestSwitchboard();
    const ana = await PlaygroundPage.open(browser, `${t.url}/`, 'ana');
    pages.push(ana);
    await ana.say('rate me in the browser');
    await eventually(async () => expect(await ana.lastReply()).toContain(FINAL), 10_000);
    const answer = ana.botReplies.last();
    await answer.locator('[data-testid=feedback-up]').waitFor();
    // Only the final answer has them: the person's own message does not.
    expect(await ana.page.locator('[data-testid=thread-messages] [data-testid=feedback]').count()).toBe(1);

    const conversation = await t.sb.chat.conversations.find({ platform: 'web', workspace: 'local', channel: 'general', thread: ana.threadId() });
    const [run] = await t.sb.engine.runs.list(conversation!.thread_id);
    const feedback = async () =>
      (await (await fetch(`${t!.url}/threads/${conversation!.thread_id}/runs/${run!.run_id}/feedback`)).json()) as Array<{ user: string; score: number; key: string }>;

    await answer.locator('[data-testid=feedback-up]').click();
    await eventually(async () => expect((await ana.texts(ana.notices)).at(-1)).toContain('Thanks for the feedback (👍).'));
    expect(await feedback()).toEqual([{ key: 'user_score', score: 1, user: 'web:ana', at: expect.any(String) }]);
    await eventually(async () => expect(await answer.locator('[data-testid=feedback-up]').getAttribute('aria-pressed')).toBe('true'));

    await answer.locator('[data-testid=feedback-down]').click();
    await eventually(async () => expect((await feedback()).map((vote) => [vote.user, vote.score])).toEqual([['web:ana', 0]]));
    await eventually(async () => expect(await answer.locator('[data-testid=feedback-down]').getAttribute('aria-pressed')).toBe('true'));
    expect(await answer.locator('[data-testid=feedback-up]').getAttribute('aria-pressed')).toBe('false');

    const bo = await PlaygroundPage.open(browser, `${t.url}/#/general/${ana.threadId()}`, 'bo');
    pages.push(bo);
    await bo.botReplies.last().locator('[data-testid=feedback-up]').click();
    await eventually(async () =>
      expect((await feedback()).map((vote) => [vote.user, vote.score])).toEqual([
        ['web:ana', 0],
        ['web:bo', 1],
      ]),
    );
  });
});
