import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { TOKEN_SECRET } from '../fixtures/project/src/auth.ts';
import { runTs } from '../helpers/child.ts';
import { useStartedProject } from '../helpers/project-start.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const input = (content: string) => ({ messages: [{ role: 'user', content }] });
type Messages = { messages: Array<{ content: string }> };

describe("a project's custom auth (langgraph.json auth.path), as on the Platform", () => {
  const project = useStartedProject('langgraph.auth.json');

  /** An SDK client for a user, with the bearer JWT the project's authenticate handler verifies. */
  async function clientOf(sub: string, scopes: string[] = [], team = 'core'): Promise<Client> {
    const token = await sign({ sub, scopes, team }, TOKEN_SECRET, 'HS256');
    return new Client({ apiUrl: project.url, apiKey: null, callerOptions: { maxRetries: 0 }, defaultHeaders: { authorization: `Bearer ${token}` } });
  }

  it('authenticates every API request: no token or a bad one is the 401 (and headers) the handler threw; /ok and /info stay open', async () => {
    const bare = await fetch(`${project.url}/threads/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('Bearer');
    // As the Platform answers it (and the SDK shows it: "HTTP 401: a bearer token is required").
    expect(await bare.text()).toBe('a bearer token is required');
    const forged = await sign({ sub: 'mallory' }, 'another-secret', 'HS256');
    const bad = await fetch(`${project.url}/assistants/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}` },
      body: '{}',
    });
    expect([bad.status, bad.headers.get('www-authenticate')]).toEqual([401, 'Bearer error="invalid_token"']);
    expect((await fetch(`${project.url}/threads/00000000-0000-4000-8000-000000000000`)).status).toBe(401);
    expect((await fetch(`${project.url}/ok`)).status).toBe(200);
    expect((await fetch(`${project.url}/info`)).status).toBe(200);
    // The project's own routes are not authenticated unless http.enable_custom_route_auth says so.
    expect((await fetch(`${project.url}/custom/hello`)).status).toBe(200);
  });

  it("authenticates generative UI's POST /ui/{name} like the API, and leaves the bundle it loads (a script tag sends no token) public", async () => {
    const body = JSON.stringify({ name: 'weather' });
    const bare = await fetch(`${project.url}/ui/agent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect([bare.status, bare.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    const token = await sign({ sub: 'ui-reader' }, TOKEN_SECRET, 'HS256');
    const signed = await fetch(`${project.url}/ui/agent`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    expect(signed.status).toBe(200);
    const html = await signed.text();
    expect(html).toContain('.render("weather"');
    const script = /src="http:\/\/[^/]+(\/ui\/agent\/[^"]+\.js)"/.exec(html)![1]!;
    expect((await fetch(`${project.url}${script}`)).status).toBe(200);
  });

  it('gives the run its user as configurable.langgraph_auth_user, _user_id and _permissions', async () => {
    const ann = await clientOf('ann', ['me', 'reports:read'], 'blue');
    const values = (await ann.runs.wait(null, 'whoami', { input: input('who am I?') })) as Messages;
    expect(values.messages.at(-1)!.content).toBe('ann of team blue with [me,reports:read]');
  });

  it('keeps assistants to their owners: creating needs the scope, search shows only your own, another owner\u2019s is 404', async () => {
    const ann = await clientOf('ann-assistants');
    await expect(ann.assistants.create({ graphId: 'agent' })).rejects.toThrow(/HTTP 403/);
    const writer = await clientOf('ann-assistants', ['assistants:write']);
    const mine = await writer.assistants.create({ graphId: 'agent', name: 'mine' });
    expect(mine.metadata).toMatchObject({ owner: 'ann-assistants' });
    const bob = await clientOf('bob-assistants', ['assistants:write']);
    const bobs = await bob.assistants.create({ graphId: 'agent', name: 'bobs' });
    expect((await writer.assistants.search({ graphId: 'agent' })).map((found) => found.assistant_id)).toEqual([mine.assistant_id]);
    expect(await writer.assistants.count({ graphId: 'agent' })).toBe(1);
    // A search that asks for another owner's never finds them (this project's handler even rewrites the asked owner).
    expect((await writer.assistants.search({ metadata: { owner: 'bob-assistants' } })).map((found) => found.assistant_id)).not.toContain(bobs.assistant_id);
    await expect(bob.assistants.get(mine.assistant_id)).rejects.toThrow(/HTTP 404/);
    await expect(bob.assistants.update(mine.assistant_id, { metadata: { taken: true } })).rejects.toThrow(/HTTP 404/);
    await expect(bob.assistants.delete(mine.assistant_id)).rejects.toThrow(/HTTP 404/);
    await expect(bob.assistants.getSchemas(mine.assistant_id)).rejects.toThrow(/HTTP 404/);
    expect((await writer.assistants.get(mine.assistant_id)).metadata).toEqual({ owner: 'ann-assistants' });
    await bob.assistants.delete(bobs.assistant_id);
  });

  it('keeps threads and their runs to their owners: another user gets 404 reading, changing, deleting or running on one, 409 copying it', async () => {
    const ann = await clientOf('ann-threads');
    const bob = await clientOf('bob-threads');
    const thread = await ann.threads.create({ metadata: { topic: 'plans' } });
    expect(thread.metadata).toMatchObject({ owner: 'ann-threads', topic: 'plans' });
    await ann.runs.wait(thread.thread_id, 'agent', { input: input('Ann') });
    expect(await ann.threads.getHistory(thread.thread_id)).not.toHaveLength(0);

    for (const attempt of [
      () => bob.threads.get(thread.thread_id),
      () => bob.threads.update(thread.thread_id, { metadata: { owner: 'bob-threads' } }),
      () => bob.threads.getHistory(thread.thread_id),
      () => bob.threads.getState(thread.thread_id),
      () => bob.threads.updateState(thread.thread_id, { values: { messages: [] } }),
      () => bob.runs.list(thread.thread_id),
      () => bob.threads.delete(thread.thread_id),
    ]) {
      await expect(attempt()).rejects.toThrow(/HTTP 404/);
    }
    // As on the Platform: a run on a thread you may not see is a missing thread, and so is
    // a copy of one, which the Platform answers 409 whether the thread is hidden or absent.
    await expect(bob.runs.wait(thread.thread_id, 'agent', { input: input('Bob') })).rejects.toThrow(/HTTP 404: Thread not found/);
    await expect(bob.runs.create(thread.thread_id, 'agent', { input: input('Bob') })).rejects.toThrow(/HTTP 404: Thread not found/);
    await expect(bob.threads.copy(thread.thread_id)).rejects.toThrow(/HTTP 409: Thread not found/);
    await expect(ann.threads.copy(crypto.randomUUID())).rejects.toThrow(/HTTP 409: Thread not found/);
    expect(await bob.threads.search()).toEqual([]);
    expect(await bob.threads.count()).toBe(0);
    expect((await ann.threads.search()).map((found) => found.thread_id)).toEqual([thread.thread_id]);

    // Joining another user's run stream answers in the stream, as the Platform does: one error event naming the 404.
    const run = await ann.runs.create(thread.thread_id, 'agent', { input: input('again') });
    const chunks: Array<{ event: string; data: unknown }> = [];
    for await (const chunk of bob.runs.joinStream(thread.thread_id, run.run_id)) chunks.push({ event: chunk.event, data: chunk.data });
    expect(chunks).toEqual([{ event: 'error', data: { error: 'Error', message: '404: Thread not found' } }]);
    await expect(bob.runs.get(thread.thread_id, run.run_id)).rejects.toThrow(/HTTP 404/);
    await expect(bob.runs.cancel(thread.thread_id, run.run_id)).rejects.toThrow(/HTTP 404/);
    await ann.runs.join(thread.thread_id, run.run_id);

    // The owner still has everything, and a copy stays theirs.
    const copy = await ann.threads.copy(thread.thread_id);
    expect(copy.metadata).toMatchObject({ owner: 'ann-threads' });
    const state = await ann.threads.getState<Messages>(thread.thread_id);
    expect(state.values.messages.map((message) => message.content)).toEqual(['Ann', 'Bonjour, Ann!', 'again', 'Bonjour, again!']);
    await ann.threads.delete(thread.thread_id);
  });

  it('gives a thread a stateless or created-on-demand run makes to the user who made it', async () => {
    const cy = await clientOf('cy-runs');
    const dee = await clientOf('dee-runs');
    const threadId = crypto.randomUUID();
    await cy.runs.wait(threadId, 'agent', { input: input('Cy'), ifNotExists: 'create' });
    expect((await cy.threads.get(threadId)).metadata).toMatchObject({ owner: 'cy-runs', graph_id: 'agent' });
    await expect(dee.threads.get(threadId)).rejects.toThrow(/HTTP 404/);
  });

  it('keeps crons to their owners', async () => {
    const ann = await clientOf('ann-crons');
    const bob = await clientOf('bob-crons');
    const cron = await ann.crons.create('agent', { schedule: '0 0 1 1 *', input: input('yearly') });
    expect((await ann.crons.search()).map((found) => found.cron_id)).toEqual([cron.cron_id]);
    expect(await bob.crons.search()).toEqual([]);
    expect(await bob.crons.count()).toBe(0);
    await expect(bob.crons.delete(cron.cron_id)).rejects.toThrow(/HTTP 404/);
    await ann.crons.delete(cron.cron_id);
    expect(await ann.crons.search()).toEqual([]);
  });

  it("keeps each user's store items under their own namespace, as the project's store handler says", async () => {
    const ann = await clientOf('ann-store');
    const bob = await clientOf('bob-store');
    await ann.store.putItem(['notes'], 'plan', { text: 'ship it' });
    expect((await ann.store.getItem(['notes'], 'plan'))?.value).toEqual({ text: 'ship it' });
    expect(await bob.store.getItem(['notes'], 'plan')).toBeNull();
    expect((await bob.store.searchItems(['notes'])).items).toEqual([]);
    const found = await ann.store.searchItems(['notes']);
    expect(found.items.map((item) => [item.namespace, item.key])).toEqual([[['ann-store', 'notes'], 'plan']]);
    await bob.store.deleteItem(['notes'], 'plan');
    expect((await ann.store.getItem(['notes'], 'plan'))?.value).toEqual({ text: 'ship it' });
  });

  // Last in this server's tests: it empties the threads the others made.
  it("answers the API suites' reset (POST /internal/truncate) from this machine without a token, and only what it names", async () => {
    const ann = await clientOf('ann-reset');
    const thread = await ann.threads.create();
    await ann.store.putItem(['kept'], 'note', { text: 'stays' });
    const reset = await fetch(`${project.url}/internal/truncate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ threads: true }) });
    expect(reset.status).toBe(200);
    await expect(ann.threads.get(thread.thread_id)).rejects.toThrow('HTTP 404');
    expect((await ann.store.getItem(['kept'], 'note'))?.value).toEqual({ text: 'stays' });
    // Every other route still wants the token.
    expect((await fetch(`${project.url}/threads/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });
});

describe('custom auth at start', () => {
  /** Starts the CLI on a langgraph.json written for the test, pointing at the fixture project's files. */
  function startWith(config: Record<string, unknown>) {
    const temp = makeTempDir();
    const file = join(temp.dir, 'langgraph.json');
    writeFileSync(file, JSON.stringify({ graphs: { agent: join(ROOT, 'test/fixtures/project/src/agent.ts:graph') }, ...config }));
    const child = runTs(join(ROOT, 'src/cli.ts'), ['start'], { SWITCHBOARD_CONFIG: file, SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), PORT: '0' });
    return { child, temp };
  }

  it('authenticates the project\u2019s own routes too with http.enable_custom_route_auth', async () => {
    const { child, temp } = startWith({
      auth: { path: join(ROOT, 'test/fixtures/project/src/auth.ts:auth') },
      http: { app: join(ROOT, 'test/fixtures/project/src/app.ts:app'), enable_custom_route_auth: true, middleware_order: 'auth_first' },
    });
    try {
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await child.waitFor(/Switchboard is running at/, 30_000))![1]!;
      expect((await fetch(`${url}/custom/hello`)).status).toBe(401);
      const token = await sign({ sub: 'ann' }, TOKEN_SECRET, 'HS256');
      expect((await fetch(`${url}/custom/hello`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
      temp.cleanup();
    }
  }, 40_000);

  it('refuses to start, naming auth.path, when it does not name an Auth instance', async () => {
    const { child, temp } = startWith({ auth: { path: join(ROOT, 'test/fixtures/project/src/agent.ts:graph') } });
    try {
      expect(await child.exited).toBe(2);
      expect(child.stderr()).toMatch(/auth\.path.*is not an Auth instance/);
    } finally {
      temp.cleanup();
    }
  }, 40_000);
});
