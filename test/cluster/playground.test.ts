import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_BROWSER, launchBrowser } from '../helpers/browser.ts';
import { eventually } from '../helpers/chat.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { PlaygroundPage } from '../helpers/playground.ts';
import { HAS_POSTGRES } from '../helpers/postgres.ts';

/**
 * README, "PostgreSQL and several processes": "The playground works on any process; its live
 * updates come from the process the browser is connected to (what others wrote shows at the
 * next request or reload)." Two processes on one database, a real browser on each.
 */
describe.skipIf(!HAS_POSTGRES || !HAS_BROWSER)('the playground on several processes', () => {
  let cluster: TestCluster;
  let browser: Browser;
  const pages: PlaygroundPage[] = [];
  beforeAll(async () => {
    [cluster, browser] = await Promise.all([startTestCluster(2), launchBrowser()]);
  }, 90_000);
  afterAll(async () => {
    for (const page of pages) await page.close();
    await browser?.close();
    await cluster?.dispose();
  }, 60_000);

  const open = async (url: string, name: string) => {
    const page = await PlaygroundPage.open(browser, url, name);
    pages.push(page);
    return page;
  };
  /** The channel's messages as the page lists them (people's roots, not the threads' replies). */
  const channelTexts = (page: PlaygroundPage) => page.texts(page.page.locator('[data-testid=messages] [data-testid=message]'));

  it("a message on process B's page is answered; A's page shows it at a reload, and a reply there continues the same conversation", async () => {
    const [a, b] = cluster.processes;
    const ana = await open(`${a!.url}/`, 'ana');
    const bo = await open(`${b!.url}/`, 'bo');

    await bo.say('hello from process B');
    await eventually(async () => expect(await bo.lastReply()).toContain('You said: "hello from process B"'), 20_000);
    const root = bo.threadId();
    await eventually(async () => expect(await bo.info('thread')).toMatch(/^[0-9a-f-]{36}$/), 10_000);
    const langgraphThread = await bo.info('thread');

    // A's page learns of it at its next request: a reload.
    await ana.page.reload();
    await ana.connected();
    await eventually(async () => expect((await channelTexts(ana)).join(' ')).toContain('hello from process B'), 10_000);
    await ana.page.goto(`${a!.url}/#/general/${root}`);
    await eventually(async () => expect(await ana.lastReply()).toContain('You said: "hello from process B"'), 10_000);
    expect(await ana.info('thread')).toBe(langgraphThread);

    // Replying through A: A answers on the same LangGraph thread, live on A's page.
    await ana.reply('and now from process A');
    await eventually(async () => expect(await ana.lastReply()).toContain('You said: "and now from process A"'), 20_000);
    expect(await ana.botReplies.count()).toBe(2);
    expect(await ana.info('thread')).toBe(langgraphThread);
    const state = (await (await fetch(`${a!.url}/threads/${langgraphThread}/state`)).json()) as { values: { messages: Array<{ type: string; content: string }> } };
    expect(state.values.messages.filter((message) => message.type === 'human').map((message) => message.content)).toEqual(['hello from process B', 'and now from process A']);

    // And B's page has it after a reload.
    await bo.page.reload();
    await bo.connected();
    await eventually(async () => expect((await bo.texts(bo.threadMessages)).join(' ')).toContain('and now from process A'), 10_000);
    await eventually(async () => expect(await bo.lastReply()).toContain('You said: "and now from process A"'), 10_000);
  }, 120_000);
});
