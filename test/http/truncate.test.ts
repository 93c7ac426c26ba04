import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('POST /internal/truncate (what the Platform API test suites call between tests)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.dispose());

  it('empties what it names and nothing else; default assistants stay; bad flags are a 422', async () => {
    const { client, url } = server;
    const truncate = async (flags: unknown) => fetch(`${url}/internal/truncate`, json(flags));
    const defaults = (await client.assistants.search({ limit: 100 })).length;
    const made = await client.assistants.create({ graphId: 'slow', name: 'made' });
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, 'slow', { input: { messages: [{ role: 'user', content: 'hi' }] } });
    await client.threads.create();
    await client.store.putItem(['a', 'b'], 'k', { v: 1 });
    await client.store.putItem(['c'], 'k', { v: 2 });

    expect((await truncate({ runs: 'yes' })).status).toBe(422);

    expect((await truncate({ runs: true })).status).toBe(200);
    expect(await client.runs.list(thread.thread_id)).toEqual([]);
    expect((await client.threads.search()).length).toBe(2);

    const answer = await truncate({ store: true, threads: true });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ ok: true, threads: 2, store_items: 2 });
    expect(await client.threads.search()).toEqual([]);
    expect((await client.store.searchItems([])).items).toEqual([]);
    expect((await client.store.listNamespaces()).namespaces).toEqual([]);
    expect((await client.assistants.get(made.assistant_id)).name).toBe('made');

    expect((await truncate({ assistants: true })).status).toBe(200);
    const left = await client.assistants.search({ limit: 100 });
    expect(left.length).toBe(defaults);
    expect(left.every((assistant) => assistant.metadata?.created_by === 'system')).toBe(true);
  });
});
