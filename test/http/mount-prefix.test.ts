/// <reference lib="dom" />
import { join, resolve } from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/http/app.ts';
import { servedUnder } from '../../src/http/mount-prefix.ts';
import { listen } from '../../src/http/server.ts';
import { silentLogger } from '../../src/log.ts';
import { HAS_BROWSER, launchBrowser } from '../helpers/browser.ts';
import { startTestEngine } from '../helpers/engine.ts';
import { eventually } from '../helpers/chat.ts';
import { PlaygroundPage } from '../helpers/playground.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PREFIX = '/my-agent';

/** langgraph.json's http.mount_prefix: the API, /ok, the project's own routes and the playground all answer under it. */
describe('http.mount_prefix', () => {
  let t: TestSwitchboard;
  let client: Client;
  beforeAll(async () => {
    t = await startTestSwitchboard({
      config: { http: { mount_prefix: PREFIX, app: join(ROOT, 'test/fixtures/project/src/app.ts:app') }, ui: { agent: join(ROOT, 'test/fixtures/project/src/ui.ts') } },
    });
    client = new Client({ apiUrl: `${t.url}${PREFIX}`, apiKey: null, callerOptions: { maxRetries: 0 } });
  });
  afterAll(async () => t?.dispose());

  it('the SDK pointed at <origin>/my-agent works unchanged: assistants, threads, a streamed run, the store', async () => {
    const [assistant] = await client.assistants.search({ graphId: 'chat', limit: 1 });
    expect(assistant?.graph_id).toBe('chat');
    const thread = await client.threads.create({ metadata: { where: 'prefixed' } });
    expect((await client.threads.get(thread.thread_id)).metadata).toMatchObject({ where: 'prefixed' });

    const events: Array<{ event: string; data: unknown }> = [];
    for await (const event of client.runs.stream(thread.thread_id, 'chat', { input: { messages: [{ role: 'user', content: 'under a prefix' }] }, streamMode: ['values'] })) {
      events.push(event);
    }
    expect(events[0]).toMatchObject({ event: 'metadata', data: { run_id: expect.any(String) } });
    const last = events.filter((event) => event.event === 'values').at(-1)?.data as { messages: Array<{ content: string }> };
    expect(last.messages.map((message) => message.content).join(' ')).toContain('under a prefix');
    expect((await client.threads.get(thread.thread_id)).status).toBe('idle');

    await client.store.putItem(['prefixed'], 'k', { n: 1 });
    expect((await client.store.getItem(['prefixed'], 'k'))?.value).toEqual({ n: 1 });
  });

  it('answers nothing outside the prefix, /ok included, and sends the bare prefix to its folder', async () => {
    const outside = await fetch(`${t.url}/ok`);
    expect(outside.status).toBe(404);
    expect(await outside.text()).toContain('this server answers under /my-agent (http.mount_prefix)');
    expect((await fetch(`${t.url}/threads/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    // A path that only starts like the prefix is not under it.
    expect((await fetch(`${t.url}${PREFIX}x/ok`)).status).toBe(404);
    expect(await (await fetch(`${t.url}${PREFIX}/ok`)).json()).toMatchObject({ ok: true });
    const bare = await fetch(`${t.url}${PREFIX}?a=1`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe(`${PREFIX}/?a=1`);
  });

  it('generative UI names its bundle under the prefix, where it is served', async () => {
    const html = await (await fetch(`${t.url}${PREFIX}/ui/agent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' })).text();
    const src = /<script src="([^"]+)"/.exec(html)?.[1];
    expect(src).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${PREFIX}/ui/agent/`));
    expect((await fetch(src!)).status).toBe(200);
  });

  it("serves the project's own routes under the prefix too; they reach the API in-process without it, and a path webhook lands on them", async () => {
    const hello = await fetch(`${t.url}${PREFIX}/custom/hello`);
    expect(await hello.json()).toEqual({ hello: 'world' });
    // The project's middleware wraps the API's answers, as without a prefix.
    expect((await fetch(`${t.url}${PREFIX}/info`)).headers.get('x-served-by')).toBe('project-app');
    await client.threads.create();
    const count = (await (await fetch(`${t.url}${PREFIX}/custom/thread-count`)).json()) as { threads: number };
    expect(count.threads).toBeGreaterThan(0);

    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'chat', { input: { messages: [{ role: 'user', content: 'hook' }] }, webhook: '/custom/webhook' });
    await eventually(async () => {
      const { last } = (await (await fetch(`${t.url}${PREFIX}/custom/last-webhook`)).json()) as { last: { run_id?: string; status?: string } | null };
      expect(last).toMatchObject({ run_id: run.run_id, status: 'success' });
    });
  });
});

describe('http.mount_prefix with an API key', () => {
  it('a browser signing in with ?key= is sent back under the prefix, and the key is asked for there as at the root', async () => {
    const engine = await startTestEngine();
    const apiKey = 'a-key-long-enough-1234';
    const server = await listen(servedUnder(PREFIX, createHttpApp({ engine, version: 'test', log: silentLogger(), apiKey })), '127.0.0.1', 0);
    try {
      const signIn = await fetch(`${server.url}${PREFIX}/?key=${apiKey}`, { redirect: 'manual' });
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get('location')).toBe(`${PREFIX}/`);
      expect((await fetch(`${server.url}${PREFIX}/info`)).status).toBe(401);
      expect((await fetch(`${server.url}${PREFIX}/info`, { headers: { 'x-api-key': apiKey } })).status).toBe(200);
    } finally {
      await server.close();
      await engine.dispose();
    }
  });
});

describe.skipIf(!HAS_BROWSER)('http.mount_prefix: the playground in a real browser', () => {
  let browser: Browser;
  let t: TestSwitchboard;
  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestSwitchboard({ config: { http: { mount_prefix: PREFIX } } });
  });
  afterAll(async () => {
    await t?.dispose();
    await browser?.close();
  });

  it('opens at the bare prefix, talks to its own API under the prefix, and links the thread state there', async () => {
    const ana = await PlaygroundPage.open(browser, `${t.url}${PREFIX}`, 'ana');
    try {
      expect(new URL(ana.page.url()).pathname).toBe(`${PREFIX}/`);
      await ana.say('hello from under a prefix');
      await eventually(async () => expect(await ana.lastReply()).toContain('hello from under a prefix'), 15_000);
      const state = ana.page.locator('[data-testid=link-state]');
      await state.waitFor();
      const href = await state.evaluate((link) => (link as HTMLAnchorElement).href);
      expect(href).toBe(`${t.url}${PREFIX}/threads/${await ana.info('thread')}/state`);
      expect((await fetch(href)).status).toBe(200);
    } finally {
      await ana.close();
    }
  });
});
