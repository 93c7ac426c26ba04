import { join, resolve } from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAssistantId } from '../../src/engine/assistants.ts';
import { runTs, type Child } from '../helpers/child.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe("a user's own LangGraph project", () => {
  const children: Child[] = [];
  const temps: Array<{ cleanup: () => void }> = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  /** `npm start` on the fixture project's langgraph.json, in a child process; resolves with it and its address. */
  async function startProject(env: Record<string, string> = {}): Promise<{ child: Child; url: string }> {
    const temp = makeTempDir();
    temps.push(temp);
    const child = runTs(join(ROOT, 'src/cli.ts'), ['start'], {
      SWITCHBOARD_CONFIG: join(ROOT, 'test/fixtures/project/langgraph.json'),
      SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'),
      PORT: '0',
      ...env,
    });
    children.push(child);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await child.waitFor(/Switchboard is running at/, 30_000))![1]!;
    return { child, url };
  }

  it("SWITCHBOARD_CONFIG=langgraph.json serves that project's graphs, each with a default assistant, to the SDK", async () => {
    const { child, url } = await startProject();
    const client = new Client({ apiUrl: url, apiKey: null, callerOptions: { maxRetries: 0 } });
    const assistants = await client.assistants.search({ graphId: 'agent' });
    expect(assistants.map((assistant) => assistant.assistant_id)).toEqual([defaultAssistantId('agent')]);
    const values = (await client.runs.wait(null, 'agent', { input: { messages: [{ role: 'user', content: 'Ana' }] } })) as {
      messages: Array<{ content: string }>;
    };
    expect(values.messages.at(-1)!.content).toBe('Bonjour, Ana!');
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 40_000);

  it('searches the store by meaning with the embeddings langgraph.json names (store.index), through the SDK', async () => {
    const { child, url } = await startProject();
    const client = new Client({ apiUrl: url, apiKey: null, callerOptions: { maxRetries: 0 } });
    await client.store.putItem(['docs'], 'food', { text: 'pasta with tomato and basil' });
    await client.store.putItem(['docs'], 'pets', { text: 'the cat sleeps on the sofa' });
    const found = await client.store.searchItems(['docs'], { query: 'tomato pasta' });
    expect(found.items.map((item) => item.key)).toEqual(['food', 'pets']);
    expect(found.items[0]!.score).toBeGreaterThan(found.items[1]!.score ?? 0);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 40_000);

  it("gives graphs the Platform's runtime: getLogger() writes through our log with the run's ids, LANGGRAPH_CONFIG configures the default assistant", async () => {
    const { child, url } = await startProject({
      LOG_LEVEL: 'info',
      LANGGRAPH_CONFIG: JSON.stringify({ agent: { configurable: { greeting: 'Hola' } }, elsewhere: { configurable: {} } }),
    });
    const client = new Client({ apiUrl: url, apiKey: null, callerOptions: { maxRetries: 0 } });
    const assistant = await client.assistants.get(defaultAssistantId('agent'));
    expect(assistant.config.configurable).toEqual({ greeting: 'Hola' });
    const thread = await client.threads.create();
    const values = (await client.runs.wait(thread.thread_id, 'agent', { input: { messages: [{ role: 'user', content: 'Ana' }] } })) as {
      messages: Array<{ content: string }>;
    };
    expect(values.messages.at(-1)!.content).toBe('Hola, Ana!');
    const line = JSON.parse(await child.waitFor(/greeting someone/, 5_000)) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'greeting someone', who: 'Ana', thread_id: thread.thread_id, graph_id: 'agent' });
    expect(line.run_id).toEqual(expect.any(String));
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 40_000);

  it("serves the project's own Hono app (http.app) beside the API, which reaches the API in-process, and passes the headers it lists to runs", async () => {
    const apiKey = 'a-key-long-enough-1234';
    const { child, url } = await startProject({ SWITCHBOARD_API_KEY: apiKey });
    // Custom routes sit behind the API key like the API.
    expect((await fetch(`${url}/custom/hello`)).status).toBe(401);
    const hello = await fetch(`${url}/custom/hello`, { headers: { 'x-api-key': apiKey } });
    expect(await hello.json()).toEqual({ hello: 'world' });
    const client = new Client({ apiUrl: url, apiKey, callerOptions: { maxRetries: 0 }, defaultHeaders: { 'x-team': 'blue', 'x-other': 'not listed' } });
    const thread = await client.threads.create();
    // The app's middleware wraps the API's answers too.
    const search = await fetch(`${url}/threads/search`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: '{}' });
    expect(search.headers.get('x-served-by')).toBe('project-app');
    const counted = await fetch(`${url}/custom/thread-count`, { headers: { 'x-api-key': apiKey } });
    expect(await counted.json()).toEqual({ threads: 1 });
    const run = await client.runs.create(thread.thread_id, 'agent', { input: { messages: [{ role: 'user', content: 'Ana' }] } });
    const values = (await client.runs.join(thread.thread_id, run.run_id)) as { messages: Array<{ content: string }> };
    expect(values.messages.at(-1)!.content).toBe('Bonjour, Ana! (team blue)');
    const stored = (await client.runs.get(thread.thread_id, run.run_id)) as unknown as { kwargs: unknown };
    expect(stored.kwargs).toMatchObject({ config: { configurable: { 'x-team': 'blue' } } });
    expect(JSON.stringify(stored.kwargs)).not.toContain('not listed');
    expect(JSON.stringify(stored.kwargs)).not.toContain(apiKey);
    // Streams go through Hono when the app has middleware, so a header set after next() reaches them whole.
    const streamed = await fetch(`${url}/threads/${thread.thread_id}/runs/stream`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: 'agent', input: { messages: [{ role: 'user', content: 'Cy' }] }, stream_mode: ['values'] }),
    });
    expect(streamed.headers.get('x-served-by')).toBe('project-app');
    const events = [...(await streamed.text()).matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(events[0]).toBe('metadata');
    expect(events.at(-1)).toBe('values');
    // Generative UI: the HTML that loads a component (behind the key), and its script (public, as a script tag sends no key).
    const html = await fetch(`${url}/ui/agent`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'weather' }),
    });
    const host = new URL(url).host;
    expect(await html.text()).toBe(`<script src="http://${host}/ui/agent/entrypoint.js" onload='__LGUI_agent.render("weather", "{{shadowRootId}}")'></script>`);
    const script = await fetch(`${url}/ui/agent/entrypoint.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    const code = await script.text();
    expect(code).toContain('globalThis[Symbol.for("LGUI_REQUIRE")]');
    expect(code).toContain('var __LGUI_agent');
    expect(
      (await fetch(`${url}/ui/nothing`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: '{"name":"x","shadowRootId":"y"}' })).status,
    ).toBe(404);
    const teapot = await fetch(`${url}/custom/teapot`, { headers: { 'x-api-key': apiKey } });
    expect([teapot.status, await teapot.text()]).toEqual([418, 'short and stout']);
    // A webhook that is a path reaches the project's own route, in-process.
    const hooked = await client.runs.create(thread.thread_id, 'agent', { input: { messages: [{ role: 'user', content: 'Bo' }] }, webhook: '/custom/webhook' });
    await client.runs.join(thread.thread_id, hooked.run_id);
    type Hook = { run_id?: string; status?: string } | null;
    const lastHook = async () => ((await (await fetch(`${url}/custom/last-webhook`, { headers: { 'x-api-key': apiKey } })).json()) as { last: Hook }).last;
    let last = await lastHook();
    for (let tries = 0; tries < 50 && last?.run_id !== hooked.run_id; tries += 1) {
      await new Promise((done) => setTimeout(done, 100));
      last = await lastHook();
    }
    expect(last).toMatchObject({ run_id: hooked.run_id, status: 'success' });
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 40_000);
});
