import { Client } from '@langchain/langgraph-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configureChatModel } from '../../src/graphs/models/chat-model.ts';
import { startCutProxy } from '../helpers/cut-proxy.ts';
import { collect, userMessage } from '../helpers/engine.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** A JSON request that asks for JSON errors (a client that sends no Accept gets the detail as text: see below). */
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
const ACCEPT_JSON = { headers: { accept: 'application/json' } };

/** Status codes at the HTTP level (raw requests, as curl would send them), auth, and stream resumption. */
describe('HTTP errors, limits and auth', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => server.dispose());

  const call = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

  it('404 for unknown ids and routes, as JSON', async () => {
    for (const path of [`/threads/${crypto.randomUUID()}`, '/assistants/not-an-assistant', `/threads/${crypto.randomUUID()}/runs/${crypto.randomUUID()}`, '/no/such/route']) {
      const response = await call(path, ACCEPT_JSON);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(response.headers.get('x-error-code')).toBe('not_found');
      expect(((await response.json()) as { detail: string }).detail).toBeTruthy();
    }
    const run = await call(`/threads/${crypto.randomUUID()}/runs`, json({ assistant_id: 'slow' }));
    expect(run.status).toBe(404);
  });

  it('422 for invalid bodies, naming the field and the reason; malformed JSON too', async () => {
    const thread = (await (await call('/threads', json({}))).json()) as { thread_id: string };
    const cases: Array<[unknown, string]> = [
      [{ assistant_id: 'slow', colour: 'red' }, 'colour'],
      [{ assistant_id: 'slow', stream_mode: ['values', 'telepathy'] }, 'stream_mode[1]'],
      [{ assistant_id: 'slow', multitask_strategy: 'ignore' }, 'multitask_strategy'],
      [{ assistant_id: 'slow', config: { recursion_limit: -1 } }, 'config.recursion_limit'],
      [{ assistant_id: 'slow', feedback_keys: ['score'] }, 'feedback_keys'],
      [{}, 'assistant_id'],
    ];
    for (const [body, field] of cases) {
      const response = await call(`/threads/${thread.thread_id}/runs`, json(body));
      expect(response.status, JSON.stringify(body)).toBe(422);
      const answer = (await response.json()) as { detail: string; errors: Array<{ field: string; message: string }> };
      expect(answer.errors.map((error) => error.field)).toContain(field);
      expect(answer.errors.every((error) => error.message.length > 0)).toBe(true);
    }
    const malformed = await call('/threads', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"metadata": ' });
    expect(malformed.status).toBe(422);
    expect(await server.engine.runs.list(thread.thread_id)).toEqual([]);
  });

  it('422 that says so for bad TTLs and the Platform features this server does not offer (a semantic store without store.index, LangSmith), storing nothing', async () => {
    const thread = (await (await call('/threads', json({}))).json()) as { thread_id: string };
    const threadsBefore = (await server.engine.threads.search({ limit: 1000 })).total;
    const put = (body: unknown) => call('/store/items', { ...json(body), method: 'PUT' });
    const cases: Array<[string, () => Promise<Response>, string, RegExp]> = [
      ['thread ttl on create, not a number of minutes', () => call('/threads', json({ ttl: { strategy: 'delete', ttl: -60 } })), 'ttl.ttl', /minutes > 0/],
      ['item ttl, not a number of minutes', () => put({ namespace: ['n'], key: 'ttl', value: { a: 1 }, ttl: 0 }), 'ttl', /minutes > 0/],
      ['item index', () => put({ namespace: ['n'], key: 'index', value: { a: 1 }, index: ['a'] }), 'index', /store\.index/],
      ['store query', () => call('/store/items/search', json({ namespace_prefix: ['n'], query: 'similar to this' })), 'query', /store\.index/],
      [
        'langsmith_tracer',
        () => call(`/threads/${thread.thread_id}/runs`, json({ assistant_id: 'slow', langsmith_tracer: { project_name: 'p' } })),
        'langsmith_tracer',
        /needs LangSmith/,
      ],
    ];
    for (const [name, request, field, reason] of cases) {
      const response = await request();
      expect(response.status, name).toBe(422);
      const answer = (await response.json()) as { errors: Array<{ field: string; message: string }> };
      expect(answer.errors.find((error) => error.field === field)?.message, name).toMatch(reason);
    }
    expect((await server.engine.threads.search({ limit: 1000 })).total).toBe(threadsBefore);
    expect(await server.engine.runs.list(thread.thread_id)).toEqual([]);
    const stored = await call('/store/items/search', json({ namespace_prefix: ['n'] }));
    expect(((await stored.json()) as { items: unknown[] }).items).toEqual([]);
    // Their empty forms are what the SDK sends by default: accepted.
    expect((await put({ namespace: ['n'], key: 'plain', value: { a: 1 }, index: false })).status).toBe(204);
  });

  it('409 for a rejected double text and for an existing id', async () => {
    const thread = (await (await call('/threads', json({}))).json()) as { thread_id: string };
    const first = await call(`/threads/${thread.thread_id}/runs`, json({ assistant_id: 'slow', input: userMessage('a'), config: { configurable: { delay_ms: 300 } } }));
    expect(first.status).toBe(200);
    const second = await call(`/threads/${thread.thread_id}/runs`, json({ assistant_id: 'slow', input: userMessage('b'), multitask_strategy: 'reject' }));
    expect(second.status).toBe(409);
    const again = await call('/threads', json({ thread_id: thread.thread_id }));
    expect(again.status).toBe(409);
  });

  it('413 for a body over the limit, and the server keeps serving', async () => {
    const response = await call('/threads', json({ metadata: { blob: 'x'.repeat(100 * 1024) } }));
    expect(response.status).toBe(413);
    expect((await call('/ok')).status).toBe(200);
    expect((await call('/threads', json({}))).status).toBe(200);
  });

  it('never answers with a stack trace, whatever the request', async () => {
    const bodies = ['[]', 'null', '"text"', '{"thread_id": 5}', '{"metadata": []}'];
    for (const body of bodies) {
      const response = await call('/threads', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await response.text();
      expect(response.status).toBeLessThan(500);
      expect(text).not.toMatch(/\n\s+at /);
    }
  });

  it('cancel answers 202, or 204 when asked to wait', async () => {
    const thread = (await (await call('/threads', json({}))).json()) as { thread_id: string };
    const run = (await (await call(`/threads/${thread.thread_id}/runs`, json({ assistant_id: 'slow', config: { configurable: { delay_ms: 5000 } } }))).json()) as {
      run_id: string;
    };
    const noWait = await call(`/threads/${thread.thread_id}/runs/${run.run_id}/cancel?wait=0&action=interrupt`, { method: 'POST' });
    expect(noWait.status).toBe(202);
    const run2 = (await (await call(`/threads/${thread.thread_id}/runs`, json({ assistant_id: 'slow', config: { configurable: { delay_ms: 5000 } } }))).json()) as {
      run_id: string;
    };
    const waited = await call(`/threads/${thread.thread_id}/runs/${run2.run_id}/cancel?wait=1&action=rollback`, { method: 'POST' });
    expect(waited.status).toBe(204);
    const bad = await call(`/threads/${thread.thread_id}/runs/${run2.run_id}/cancel?action=explode`, { method: 'POST' });
    expect(bad.status).toBe(422);
  });

  it('cancels many runs by thread', async () => {
    const thread = (await (await call('/threads', json({}))).json()) as { thread_id: string };
    for (let i = 0; i < 3; i += 1) {
      await call(`/threads/${thread.thread_id}/runs`, json({ assistant_id: 'slow', input: userMessage(`m${i}`), config: { configurable: { delay_ms: 5000 } } }));
    }
    const response = await call('/runs/cancel', json({ thread_id: thread.thread_id, action: 'interrupt' }));
    expect(response.status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const runs = await server.engine.runs.list(thread.thread_id);
    expect(runs.map((run) => run.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);
  });
});

describe('API key', () => {
  let server: TestServer;
  const key = 'test-key-0123456789abcdef';
  beforeAll(async () => {
    server = await startTestServer({ apiKey: key });
  });
  afterAll(async () => server.dispose());

  it('is required on every route but /ok', async () => {
    // Every route the app serves, each called without the key: a real path for each pattern.
    const routes = [...new Map(server.app.routes.filter((route) => route.method !== 'ALL').map((route) => [`${route.method} ${route.path}`, route])).values()];
    expect(routes.length).toBeGreaterThan(40);
    const id = crypto.randomUUID();
    const answers = await Promise.all(
      routes.map(async (route) => {
        const path = route.path.replace(/:[^/]+/g, id).replace(/\*/g, 'any');
        const response = await fetch(`${server.url}${path}`, {
          method: route.method,
          ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }),
        });
        await response.body?.cancel();
        return `${route.method} ${route.path} ${response.status}`;
      }),
    );
    expect(answers).toEqual(routes.map((route) => `${route.method} ${route.path} ${route.method === 'GET' && route.path === '/ok' ? 200 : 401}`));
    expect((await fetch(`${server.url}/ok`)).status).toBe(200);
    expect((await fetch(`${server.url}/assistants/chat`)).status).toBe(401);
    expect((await fetch(`${server.url}/assistants/chat`, { headers: { 'x-api-key': 'wrong-key-0123456789abcd' } })).status).toBe(401);
    expect((await fetch(`${server.url}/assistants/chat`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    const withoutKey = new Client({ apiUrl: server.url, apiKey: null, callerOptions: { maxRetries: 0 } });
    await expect(withoutKey.threads.create()).rejects.toMatchObject({ status: 401 });
    expect((await server.client.threads.create()).thread_id).toBeTruthy();
  });
});

describe('stream resumption', () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof startCutProxy>>;
  beforeAll(async () => {
    configureChatModel({ provider: 'offline' });
    server = await startTestServer();
    proxy = await startCutProxy(server.server.port);
  });
  afterAll(async () => {
    await proxy.close();
    await server.dispose();
  });
  afterEach(() => proxy.cutAll());

  it('a client whose connection drops mid-stream reconnects with Last-Event-ID and gets every event exactly once', async () => {
    const client = new Client({ apiUrl: proxy.url, apiKey: null, callerOptions: { maxRetries: 0 } });
    const thread = await client.threads.create();
    const received: Array<{ id?: string; event: string; data: unknown }> = [];
    let cut = false;
    for await (const event of client.runs.stream(thread.thread_id, 'chat', {
      input: userMessage('a long enough answer to cut in the middle'),
      streamMode: ['messages-tuple'],
      // Resumable, as useStream asks: only such a stream carries the ids a client resumes from.
      streamResumable: true,
      config: { configurable: { token_delay_ms: 15 } },
    })) {
      received.push(event);
      if (!cut && received.length === 6) {
        cut = true;
        proxy.cutAll();
      }
    }
    expect(cut).toBe(true);
    const runId = (received[0]!.data as { run_id: string }).run_id;
    const full = await collect(server.engine.runs.stream(thread.thread_id, runId));
    expect(received.map((event) => event.id)).toEqual(full.map((event) => event.id));
    expect(received.length).toBeGreaterThan(10);
  });
});
