/// <reference lib="dom" />
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configAssistantId } from '../../src/engine/assistants.ts';
import { artifactPath, HAS_BROWSER, launchBrowser } from '../helpers/browser.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

/**
 * A web app on another origin than the API, built on the SDK's React hook `useStream`
 * (test/fixtures/use-stream/app.tsx), in Chromium: it streams answers, shows and resumes
 * an interrupt, lists and switches threads and comes back after a reload, all through
 * CORS. A page on a foreign origin is refused.
 */

const APP = resolve(import.meta.dirname, '../fixtures/use-stream/app.tsx');
const ROOT = resolve(import.meta.dirname, '../..');
const OFFLINE = "(I am Switchboard's built-in offline model: configure an OpenAI-compatible or Anthropic model for real answers.)";
const answerTo = (said: string, turn: number, earlier?: string) =>
  `You said: "${said}". This is message ${turn} of our conversation.${earlier ? ` Earlier you said: "${earlier}".` : ''} ${OFFLINE}`;

/** What the page's recorder (an init script) saw the last AI message say, each distinct text once, in order. */
type Recorded = Window & { aiTexts: string[] };
const RECORDER = () => {
  const win = window as unknown as Recorded;
  win.aiTexts = [];
  const record = () => {
    const replies = document.querySelectorAll('[data-testid=messages] li[data-type=ai]');
    const text = replies[replies.length - 1]?.textContent ?? '';
    if (text !== '' && win.aiTexts[win.aiTexts.length - 1] !== text) win.aiTexts.push(text);
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
};

interface ApiCall {
  method: string;
  url: string;
  status: number;
  allowOrigin: string | undefined;
  body?: string;
}

describe.skipIf(!HAS_BROWSER)('a useStream web app on another origin, in a real browser', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let t: TestSwitchboard;
  let site: Server;
  let siteOrigin: string;
  let client: Client;
  const talker = configAssistantId('slowtalker');
  const approver = configAssistantId('approver');
  const apiCalls: ApiCall[] = [];
  const pageErrors: string[] = [];
  let chatThread = '';
  let approvalThread = '';

  beforeAll(async () => {
    const [switchboard, bundle, launched] = await Promise.all([
      // The example graphs, and one that asks for review in LangChain's human-in-the-loop shape.
      startTestSwitchboard({
        config: {
          graphs: {
            chat: resolve(ROOT, 'src/graphs/chat.ts:graph'),
            writer: resolve(ROOT, 'src/graphs/writer.ts:graph'),
            approval: resolve(ROOT, 'src/graphs/approval.ts:graph'),
            review: resolve(ROOT, 'test/fixtures/graphs/review.ts:graph'),
          },
        },
      }),
      build({
        entryPoints: [APP],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        define: { 'process.env.NODE_ENV': '"production"' },
        logLevel: 'silent',
      }),
      launchBrowser(),
    ]);
    t = switchboard;
    browser = launched;
    client = new Client({ apiUrl: t.url });
    const script = bundle.outputFiles[0]!.contents;
    const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="langgraph-api-url" content="${t.url}"><title>useStream app</title></head><body><div id="root"></div><script type="module" src="/bundle.js"></script></body></html>`;
    site = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if (path === '/bundle.js') response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
      else if (path === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      else response.writeHead(404).end();
    });
    await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
    siteOrigin = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    expect(new URL(siteOrigin).origin).not.toBe(new URL(t.url).origin);

    context = await browser.newContext();
    await context.addInitScript(RECORDER);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', async (response) => {
      if (!response.url().startsWith(t.url)) return;
      const call: ApiCall = {
        method: response.request().method(),
        url: response.url().slice(t.url.length),
        status: response.status(),
        allowOrigin: (await response.allHeaders().catch(() => ({}) as Record<string, string>))['access-control-allow-origin'],
      };
      if (call.status >= 400) call.body = await response.text().catch(() => '(unreadable)');
      apiCalls.push(call);
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await new Promise((done) => (site ? site.close(done) : done(undefined)));
    await t?.dispose();
  });

  const appUrl = (assistant: string) => `${siteOrigin}/?assistant=${assistant}`;
  const recorded = () => page.evaluate(() => (window as unknown as Recorded).aiTexts.slice());
  const messages = () => page.locator('[data-testid=messages] li').allTextContents();
  const threadInUrl = () => new URL(page.url()).searchParams.get('thread');

  async function say(text: string) {
    await page.locator('[data-testid=draft]').fill(text);
    await page.locator('button[type=submit]').click();
  }

  /** Waits until the last AI message of the page is `text` (and the stream is over). */
  async function waitForAnswer(text: string, timeout = 15_000) {
    try {
      await page.waitForFunction(
        (expected) => {
          const replies = document.querySelectorAll('[data-testid=messages] li[data-type=ai]');
          return replies[replies.length - 1]?.textContent === expected && document.querySelector('[data-testid=status]')?.textContent === 'idle';
        },
        text,
        { timeout },
      );
    } catch (error) {
      const shown = {
        status: await page.locator('[data-testid=status]').textContent(),
        messages: await messages(),
        error: await page.locator('[data-testid=error]').allTextContents(),
      };
      throw new Error(`the answer ${JSON.stringify(text)} did not show within ${timeout} ms; the page shows ${JSON.stringify(shown)} (${String(error)})`);
    }
  }

  /** Every API answer the page got: no error statuses, each readable cross-origin. */
  function expectCleanApiCalls() {
    const failed = apiCalls.filter((call) => call.status >= 400);
    expect(failed, `the API answered the page with errors:\n${JSON.stringify(failed, null, 2)}`).toEqual([]);
    expect(apiCalls.filter((call) => call.allowOrigin !== siteOrigin)).toEqual([]);
    expect(pageErrors).toEqual([]);
  }

  it('streams an answer token by token into a new thread, cross-origin, and keeps the thread in the URL', async () => {
    await page.goto(appUrl(talker));
    await page.locator('[data-testid=draft]').waitFor();
    const said = 'tell me about onboarding';
    const final = answerTo(said, 1);
    await say(said);
    await waitForAnswer(final);

    // The answer grew in place: partial texts, each a prefix of the answer, before the whole of it.
    const seen = await recorded();
    const partials = seen.filter((text) => text !== final);
    expect(partials.length, `texts seen: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(2);
    for (const partial of partials) expect(final.startsWith(partial), `"${partial}" is not a beginning of the answer`).toBe(true);
    expect(seen.at(-1)).toBe(final);
    expect(await messages()).toEqual([said, final]);

    // The hook created the thread; the page keeps its id in the URL; the API has the conversation.
    chatThread = (await page.locator('[data-testid=thread-id]').textContent()) ?? '';
    expect(chatThread).toMatch(/^[0-9a-f-]{36}$/);
    expect(threadInUrl()).toBe(chatThread);
    const state = await client.threads.getState<{ messages: Array<{ type: string; content: unknown }> }>(chatThread);
    expect(state.values.messages.map((message) => [message.type, message.content])).toEqual([
      ['human', said],
      ['ai', final],
    ]);
    expect(apiCalls.some((call) => call.method === 'POST' && call.url === '/threads')).toBe(true);
    expect(apiCalls.some((call) => call.method === 'POST' && call.url === `/threads/${chatThread}/runs/stream`)).toBe(true);
    expectCleanApiCalls();
  });

  it('a reload shows the thread again, and a reload mid-answer rejoins the run and streams the rest', async () => {
    await page.reload();
    await page.waitForFunction(
      (expected) => document.querySelectorAll('[data-testid=messages] li[data-type=ai]')[0]?.textContent === expected,
      answerTo('tell me about onboarding', 1),
      { timeout: 10_000 },
    );
    expect(threadInUrl()).toBe(chatThread);
    expect(await page.locator('[data-testid=thread-id]').textContent()).toBe(chatThread);

    // A long question makes a long answer (about 100 tokens, 30 ms each): reload while it streams.
    const said = Array.from({ length: 60 }, (_, index) => `word${index}`).join(' ');
    const final = answerTo(said, 2, 'tell me about onboarding');
    await say(said);
    await page.waitForFunction(() => (document.querySelectorAll('[data-testid=messages] li[data-type=ai]')[1]?.textContent ?? '').startsWith('You said'), undefined, {
      timeout: 10_000,
      polling: 10,
    });
    await page.reload();
    // The hook remembered the run (sessionStorage) and joins its stream: the answer keeps growing on the page.
    await waitForAnswer(final, 15_000);
    const afterReload = (await recorded()).filter((text) => text.startsWith('You said: "word0'));
    expect(
      afterReload.filter((text) => text !== final),
      `after the reload the page showed ${JSON.stringify(afterReload)}: no partial answer, so it did not rejoin the stream`,
    ).not.toEqual([]);
    expect(await messages()).toEqual(['tell me about onboarding', answerTo('tell me about onboarding', 1), said, final]);
    const runs = await client.runs.list(chatThread);
    expect(runs.map((run) => run.status)).toEqual(['success', 'success']);
    expectCleanApiCalls();
  });

  it('shows an interrupt, and a click resumes the run to the end', async () => {
    await page.goto(appUrl(approver));
    await page.locator('[data-testid=draft]').waitFor();
    expect(await messages()).toEqual([]);
    await say('ship the release notes for 2.0');
    const prompt = page.locator('[data-testid=interrupt]');
    await prompt.waitFor({ timeout: 10_000 });
    expect(await prompt.locator('p').textContent()).toBe('Approve this action? Send this to the team: "ship the release notes for 2.0"');
    expect(await prompt.locator('button').allTextContents()).toEqual(['Approve', 'Reject', 'Edit']);
    approvalThread = threadInUrl() ?? '';
    expect(approvalThread).toMatch(/^[0-9a-f-]{36}$/);
    expect(approvalThread).not.toBe(chatThread);
    expect((await client.threads.get(approvalThread)).status).toBe('interrupted');

    await prompt.locator('button', { hasText: 'Approve' }).click();
    const done = 'Approved. Sent this to the team: "ship the release notes for 2.0"';
    await waitForAnswer(done, 10_000);
    expect(await prompt.count()).toBe(0);
    expect(await messages()).toEqual(['ship the release notes for 2.0', done]);

    // The API agrees: the thread is idle with nothing pending, and the resume ran on the same thread.
    const thread = await client.threads.get(approvalThread);
    expect(thread.status).toBe('idle');
    const state = await client.threads.getState(approvalThread);
    expect(state.next).toEqual([]);
    expect(state.tasks.flatMap((task) => task.interrupts)).toEqual([]);
    const runs = await client.runs.list(approvalThread);
    expect(runs.map((run) => run.status).sort()).toEqual(['interrupted', 'success']);
    expectCleanApiCalls();
  });

  it('lists the threads with client.threads.search() and switches between them', async () => {
    await page.locator('[data-testid=list-threads]').click();
    const listed = page.locator('[data-testid=threads] button');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=threads] button').length >= 2, undefined, { timeout: 10_000 });
    const ids = await listed.evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-thread-id')));
    expect(ids.sort()).toEqual([chatThread, approvalThread].sort());
    expect(await page.locator(`[data-thread-id="${approvalThread}"]`).getAttribute('data-status')).toBe('idle');

    await page.locator(`[data-thread-id="${chatThread}"]`).click();
    await page.waitForFunction(
      (expected) => document.querySelectorAll('[data-testid=messages] li[data-type=ai]')[0]?.textContent === expected,
      answerTo('tell me about onboarding', 1),
      { timeout: 10_000 },
    );
    expect((await messages()).length).toBe(4);
    expect(threadInUrl()).toBe(chatThread);

    await page.locator(`[data-thread-id="${approvalThread}"]`).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=messages] li[data-type=ai]')?.textContent?.startsWith('Approved.') === true, undefined, {
      timeout: 10_000,
    });
    expect(await messages()).toEqual(['ship the release notes for 2.0', 'Approved. Sent this to the team: "ship the release notes for 2.0"']);
    expect(threadInUrl()).toBe(approvalThread);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    expectCleanApiCalls();
    await page.screenshot({ path: artifactPath('use-stream.png') });
  });

  it("answers a review request in LangChain's human-in-the-loop shape (action_requests, review_configs, allowed_decisions) with decisions", async () => {
    await page.goto(appUrl('review'));
    await page.locator('[data-testid=draft]').waitFor();
    await say('send the launch email');
    const prompt = page.locator('[data-testid=interrupt]');
    await prompt.waitFor({ timeout: 10_000 });
    expect(await prompt.locator('p').textContent()).toBe('Send the launch email?');
    expect(await prompt.locator('button').allTextContents()).toEqual(['approve', 'edit', 'reject']);
    const reviewThread = threadInUrl()!;
    const pending = await client.threads.getState(reviewThread);
    expect(pending.tasks.flatMap((task) => task.interrupts).map((entry) => (entry.value as { review_configs: unknown }).review_configs)).toEqual([
      [{ action_name: 'send_email', allowed_decisions: ['approve', 'edit', 'reject'] }],
    ]);
    await prompt.locator('button', { hasText: 'approve' }).click();
    await waitForAnswer('send_email: approve', 10_000);
    expect((await client.threads.get(reviewThread)).status).toBe('idle');
    expectCleanApiCalls();
  });

  it('a request from a foreign origin is refused, a loopback page on another port is not', async () => {
    const before = (await client.threads.search({ limit: 100 })).length;
    const evil = await fetch(`${t.url}/threads`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect((await client.threads.search({ limit: 100 })).length).toBe(before);

    const evilPreflight = await fetch(`${t.url}/threads`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(evilPreflight.status).toBe(403);
    expect(evilPreflight.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await fetch(`${t.url}/threads`, {
      method: 'OPTIONS',
      headers: { origin: siteOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(siteOrigin);
  });
});
