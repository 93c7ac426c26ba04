import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const json = (body: unknown, headers: Record<string, string> = {}, method = 'POST') => ({
  method,
  // Asks for JSON errors, to read the field they name (without it the detail comes as text).
  headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A request with a Host header of our choosing (fetch always sends the real one). */
function withHost(url: string, host: string, path = '/ok'): Promise<number> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

/** What an attacker tried (issue 12), each answered with a 4xx that leaves everything working. */
describe('hostile requests lose nothing and break nothing', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.dispose());
  const call = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
  const listsStillAnswer = async () => {
    for (const path of ['/threads/search', '/threads/count', '/assistants/search', '/runs/crons/search', '/store/items/search']) {
      const body = path === '/store/items/search' ? { namespace_prefix: [] } : {};
      expect((await call(path, json(body))).status, path).toBe(200);
    }
    expect((await call('/ok')).status).toBe(200);
  };

  it('JSON nested past 64 levels is refused with 422 naming the limit, on every write; reading stays fine', async () => {
    const thread = (await (await call('/threads', json({}))).json()) as { thread_id: string };
    const deep = nested(2000);
    const attempts: Array<[string, string, string]> = [
      ['POST', '/threads', `{"metadata":${deep}}`],
      ['PATCH', `/threads/${thread.thread_id}`, `{"metadata":${deep}}`],
      ['PUT', '/store/items', `{"namespace":["a"],"key":"k","value":${nested(10_000)}}`],
      ['POST', `/threads/${thread.thread_id}/runs`, `{"assistant_id":"slow","input":${deep}}`],
      ['POST', '/assistants', `{"graph_id":"chat","metadata":${deep}}`],
      ['POST', '/runs/batch', `[{"assistant_id":"slow","input":${deep}}]`],
    ];
    for (const [method, path, body] of attempts) {
      const response = await call(path, json(body, {}, method));
      expect(response.status, `${method} ${path}`).toBe(422);
      expect(((await response.json()) as { detail: string }).detail).toContain('deeper than 64 levels');
    }
    // A value at the limit's edge is fine.
    expect((await call('/threads', json(`{"metadata":${nested(60)}}`))).status).toBe(200);
    expect((await call(`/threads/${thread.thread_id}`)).status).toBe(200);
    await listsStillAnswer();
  });

  it('store namespaces the backends cannot keep are refused with 422, on both backends, and nothing is half-written', async () => {
    for (const namespace of [['a:b'], ['..'], ['.'], [''], ['x\u0000y'], [], ['langgraph', 'x']]) {
      const response = await call('/store/items', json({ namespace, key: 'k', value: { v: 1 } }, {}, 'PUT'));
      expect(response.status, JSON.stringify(namespace)).toBe(422);
    }
    expect((await call('/store/items', json({ namespace: ['ok'], key: 'nul\u0000key', value: { v: 1 } }, {}, 'PUT'))).status).toBe(422);
    expect((await call('/store/items?namespace=a:b&key=k')).status).toBe(422);
    expect((await call('/store/items/search', json({ namespace_prefix: ['a:b'] }))).status).toBe(422);
    // The namespace still takes writes and answers searches.
    expect((await call('/store/items', json({ namespace: ['team', 'ana'], key: 'k', value: { v: 2 } }, {}, 'PUT'))).status).toBe(204);
    const found = (await (await call('/store/items/search', json({ namespace_prefix: ['team'] }))).json()) as { items: Array<{ value: unknown }> };
    expect(found.items.map((item) => item.value)).toEqual([{ v: 2 }]);
    await listsStillAnswer();
  });

  it('ids that are built-in property names are ids like any other: 404, never a junk record or a 500', async () => {
    for (const id of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      expect((await call(`/assistants/${id}`)).status, `GET assistant ${id}`).toBe(404);
      expect((await call(`/assistants/${id}`, { method: 'DELETE' })).status, `DELETE assistant ${id}`).toBe(404);
      expect((await call(`/runs/crons/${id}`, json({ enabled: false }, {}, 'PATCH'))).status, `PATCH cron ${id}`).toBe(404);
      expect((await call('/runs/wait', json({ assistant_id: id, input: {} }))).status, `run on ${id}`).toBe(404);
    }
    expect(((await (await call('/runs/crons/search', json({}))).json()) as unknown[]).length).toBe(0);
    await listsStillAnswer();
  });

  it('a state update whose values are not channel values is a 422', async () => {
    const thread = (await (await call('/threads', json({}))).json()) as { thread_id: string };
    // The whole answer, not only its headers: a long wait sends headers first.
    await (await call(`/threads/${thread.thread_id}/runs/wait`, json({ assistant_id: 'slow', input: { messages: [{ role: 'user', content: 'hi' }] } }))).json();
    for (const values of [5, 'text', true]) {
      expect((await call(`/threads/${thread.thread_id}/state`, json({ values }))).status, JSON.stringify(values)).toBe(422);
    }
    const unknownNode = await call(`/threads/${thread.thread_id}/state`, json({ values: { messages: [] }, as_node: 'no-such-node' }));
    expect(unknownNode.status).toBe(422);
    // Supersteps the channels refuse: 422, and no half-made thread left behind.
    const threadId = crypto.randomUUID();
    const supersteps = [{ updates: [{ values: { messages: [null] }, as_node: 'first' }] }];
    const refused = await call('/threads', json({ thread_id: threadId, metadata: { graph_id: 'slow' }, supersteps }));
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/supersteps\[0\]\.updates\[0\]\.values\.messages/);
    expect((await call(`/threads/${threadId}`)).status).toBe(404);
    // A superstep with no update (LangGraph refuses it) is the caller's mistake too.
    const empty = await call('/threads', json({ thread_id: threadId, metadata: { graph_id: 'slow' }, supersteps: [{ updates: [] }] }));
    expect(empty.status).toBe(422);
    expect((await call(`/threads/${threadId}`)).status).toBe(404);
    await listsStillAnswer();
  });

  it('a page on another site cannot drive the server: text/plain bodies get 415, foreign origins 403, foreign Host names 403', async () => {
    const cron = { schedule: '* * * * *', assistant_id: 'slow' };
    const plain = await call('/runs/crons', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(cron) });
    expect(plain.status).toBe(415);
    const foreign = await call('/runs/crons', json(cron, { origin: 'https://evil.example' }));
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await (await call('/runs/crons/search', json({}))).json()) as unknown[]).length).toBe(0);
    expect(await withHost(server.url, 'evil.example')).toBe(403);
    expect(await withHost(server.url, 'evil.example', '/threads/search')).toBe(403);
    // Loopback names and addresses are this server.
    const port = new URL(server.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'app.localhost']) expect(await withHost(server.url, host), host).toBe(200);
  });

  it('a web app on a loopback origin (any port) is allowed, with CORS headers and preflights', async () => {
    const preflight = await call('/threads/search', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-api-key');
    const created = await call('/threads', json({}, { origin: 'http://127.0.0.1:5173' }));
    expect(created.status).toBe(200);
    expect(created.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(created.headers.get('access-control-expose-headers')).toContain('content-location');
    const refused = await call('/threads/search', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
