import { Client as ClientV2 } from '@langchain/langgraph-sdk';
import { Client as ClientV1 } from 'langgraph-sdk-1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userMessage } from '../helpers/engine.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * What a client of the LangGraph Platform sees of our errors and streams, through both SDK
 * lines: the SDK throws `HTTP <status>: <body text>`, and code written against the Platform
 * matches on that; it hands each SSE event's id to the caller.
 */
describe('errors and streams worded as the Platform words them, through SDK 1.x and 2.x', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.dispose());

  // The two lines' overloads differ only in types; both are driven the same way (cast to one type).
  const clients = (): Array<[string, ClientV2]> => [
    ['1.x', new ClientV1({ apiUrl: server.url, apiKey: null, callerOptions: { maxRetries: 0 } }) as unknown as ClientV2],
    ['2.x', new ClientV2({ apiUrl: server.url, apiKey: null, callerOptions: { maxRetries: 0 } })],
  ];

  it('a missing assistant, thread or run throws "HTTP 404: <What> not found" from either SDK', async () => {
    const missing = crypto.randomUUID();
    for (const [line, client] of clients()) {
      await expect(client.assistants.get(missing), line).rejects.toThrow(`HTTP 404: Assistant not found: ${missing}`);
      await expect(client.threads.get(missing), line).rejects.toThrow(`HTTP 404: Thread not found: ${missing}`);
      const thread = await client.threads.create();
      await expect(client.runs.get(thread.thread_id, missing), line).rejects.toThrow(`HTTP 404: Run not found: ${missing}`);
    }
  });

  it('answers a client that asks for nothing in particular with the detail as text and the stable code in x-error-code', async () => {
    const missing = crypto.randomUUID();
    const text = await fetch(`${server.url}/assistants/${missing}`);
    expect(text.status).toBe(404);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.headers.get('x-error-code')).toBe('not_found');
    expect(await text.text()).toBe(`Assistant not found: ${missing}`);

    const asked = await fetch(`${server.url}/assistants/${missing}`, { headers: { accept: 'text/html, application/json;q=0.9' } });
    expect(asked.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await asked.json()).toEqual({ detail: `Assistant not found: ${missing}`, code: 'not_found' });

    const refused = await fetch(`${server.url}/assistants/${missing}`, { headers: { accept: 'application/json;q=0, text/plain' } });
    expect(refused.headers.get('content-type')).toMatch(/^text\/plain/);

    const invalid = await fetch(`${server.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"metadata": 5}' });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('x-error-code')).toBe('invalid_input');
    expect(await invalid.text()).toMatch(/^invalid request: metadata: /);
  });

  it("numbers every event of a thread's run stream and of a join, and a stateless stream's only when resumable", async () => {
    const numbered = (events: Array<Record<string, unknown>>) => events.map((_, index) => String(index));
    for (const [line, client] of clients()) {
      const thread = await client.threads.create();
      // The JS LangGraph server writes each event's id on a thread's stream, and its API suite
      // compares those events whole, ids included.
      const plain: Array<Record<string, unknown>> = [];
      for await (const event of client.runs.stream(thread.thread_id, 'chat', { input: userMessage('hi'), streamMode: 'values' })) plain.push(event);
      expect(plain.length, line).toBeGreaterThan(1);
      expect(
        plain.map((event) => event.id),
        line,
      ).toEqual(numbered(plain));
      expect(plain[0], line).toEqual({ id: '0', event: 'metadata', data: expect.objectContaining({ run_id: expect.any(String) }) });

      const runId = (plain[0]!.data as { run_id: string }).run_id;
      const joined: Array<Record<string, unknown>> = [];
      for await (const event of client.runs.joinStream(thread.thread_id, runId)) joined.push(event);
      expect(joined.at(-1)?.id, line).toBeDefined();

      // A stateless run's stream has no ids, unless the client asks to resume it.
      const stateless: Array<Record<string, unknown>> = [];
      for await (const event of client.runs.stream(null, 'chat', { input: userMessage('once'), streamMode: 'values' })) stateless.push(event);
      expect(stateless.length, line).toBeGreaterThan(1);
      expect(
        stateless.every((event) => event.id === undefined),
        line,
      ).toBe(true);
      const resumable: Array<Record<string, unknown>> = [];
      for await (const event of client.runs.stream(null, 'chat', { input: userMessage('again'), streamMode: 'values', streamResumable: true })) resumable.push(event);
      expect(
        resumable.map((event) => event.id),
        line,
      ).toEqual(numbered(resumable));
    }
  });

  it('a stop at interrupt_before is streamed as the values event {__interrupt__: []}, as the Platform streams it', async () => {
    for (const [line, client] of clients()) {
      const thread = await client.threads.create();
      const events: Array<Record<string, unknown>> = [];
      for await (const event of client.runs.stream(thread.thread_id, 'slow', { input: userMessage('x'), streamMode: 'values', interruptBefore: ['second'] })) {
        events.push(event);
      }
      expect(events.at(-1), line).toEqual({ id: String(events.length - 1), event: 'values', data: { __interrupt__: [] } });
      expect((await client.threads.getState(thread.thread_id)).next, line).toEqual(['second']);
    }
  });
});
