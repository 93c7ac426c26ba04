import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

const PUBLIC = resolve(import.meta.dirname, '../../adapters/web/public');

/** The playground's event stream, read as a browser's EventSource would. */
function listen(url: string) {
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  const aborter = new AbortController();
  const done = (async () => {
    const response = await fetch(`${url}/playground/api/events`, { signal: aborter.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch(() => undefined);
  return {
    events,
    close: () => {
      aborter.abort();
      return done;
    },
  };
}

describe('the web playground over HTTP', () => {
  let t: TestSwitchboard | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });
  const post = (path: string, body: unknown) =>
    // As the page's own api() asks: JSON errors with their fields.
    fetch(`${t!.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('serves the page at / with everything from this server (no CDN, no external font) and a strict CSP', async () => {
    t = await startTestSwitchboard();
    const page = await fetch(`${t.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    for (const file of readdirSync(PUBLIC).filter((name) => !name.endsWith('.d.ts'))) {
      const text = readFileSync(resolve(PUBLIC, file), 'utf8');
      // Only links a model writes into an answer may point elsewhere (the renderer's pattern).
      expect(text.replace(/https\?:\\\/\\\//g, ''), file).not.toMatch(/https?:\/\/|\/\/fonts|@import/);
      expect((await fetch(`${t.url}/${file === 'index.html' ? '' : `playground/${file}`}`)).status, file).toBe(200);
    }
    expect((await fetch(`${t.url}/playground/nope.js`)).status).toBe(404);
    // Built-in property names are not files.
    for (const name of ['constructor', '__proto__', 'toString']) expect((await fetch(`${t.url}/playground/${name}`)).status, name).toBe(404);
  });

  it('refuses bad input with a clear error and stores nothing', async () => {
    t = await startTestSwitchboard();
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['/playground/api/channels/general/messages', { text: 'hi' }, 422, /user/],
      ['/playground/api/channels/general/messages', { user: 'switchboard', text: 'hi' }, 422, /the bot's name/],
      ['/playground/api/channels/general/messages', { user: 'ana', text: '   ' }, 422, /some text/],
      ['/playground/api/channels/general/messages', { user: 'ana', text: 'hi', colour: 'red' }, 422, /colour/],
      ['/playground/api/channels/general/messages', '{not json', 422, /not valid JSON/],
      ['/playground/api/channels/nowhere/messages', { user: 'ana', text: 'hi' }, 404, /no channel #nowhere/],
      ['/playground/api/channels/general/messages', { user: 'ana', text: 'hi', thread: '123.000000' }, 404, /no thread/],
      ['/playground/api/channels', { name: 'Bad Name!' }, 422, /lowercase/],
      ['/playground/api/actions', { user: 'ana', channel: 'general', thread: 'x', promptId: 'p', optionIndex: -1 }, 422, /optionIndex/],
    ];
    for (const [path, body, status, detail] of cases) {
      const response = await post(path, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(await response.json())).toMatch(detail);
    }
    const { messages } = (await (await fetch(`${t.url}/playground/api/channels/general/messages`)).json()) as { messages: unknown[] };
    expect(messages).toEqual([]);
    expect((await t.sb.engine.threads.search({ limit: 10 })).total).toBe(0);
  });

  it('streams every change to browsers: the message, busy, the reply as it grows, idle; commands answer only their author', async () => {
    t = await startTestSwitchboard({ config: { chat: { assistant: 'slowtalker' } } });
    const stream = listen(t.url);
    await eventually(() => expect(stream.events.some((event) => event.event === 'hello')).toBe(true));
    const sent = await post('/playground/api/channels/general/messages', { user: 'ana', text: 'hello' });
    expect(sent.status).toBe(201);
    const message = (await sent.json()) as { id: string };
    await eventually(() => expect(stream.events.filter((event) => event.event === 'status').map((event) => event.data.busy)).toEqual([true, false]), 10_000);
    const replyEdits = stream.events
      .filter((event) => event.event === 'message' && (event.data.message as { thread: string }).thread === message.id)
      .map((event) => (event.data.message as { markdown: string }).markdown);
    expect(replyEdits.length).toBeGreaterThan(3);
    replyEdits.slice(1).forEach((text, index) => {
      expect(text.startsWith(replyEdits[index]!.trim())).toBe(true);
    });
    expect(replyEdits.at(-1)).toContain('You said: "hello"');

    await post('/playground/api/channels/general/messages', { user: 'bo', text: '/sb list' });
    await eventually(() => expect(stream.events.filter((event) => event.event === 'ephemeral').map((event) => event.data.to)).toEqual(['bo', 'bo']));
    const [echo, answer] = stream.events.filter((event) => event.event === 'ephemeral');
    expect(echo!.data.markdown).toBe('`/sb list`');
    expect(answer!.data.markdown).toContain('**tweet**');
    // A command is not a message of the channel.
    const { messages } = (await (await fetch(`${t.url}/playground/api/channels/general/messages`)).json()) as { messages: Array<{ markdown: string }> };
    expect(messages.map((entry) => entry.markdown)).not.toContain('/sb list');
    await stream.close();
  });

  it('the person reaches the graph as web:<name>; `use` with a question pending drops it, and the next message goes to the new assistant', async () => {
    t = await startTestSwitchboard({ config: { chat: { assistant: 'approver' } } });
    const h = t;
    const message = (await (await post('/playground/api/channels/general/messages', { user: 'ana', text: 'publish the notes' })).json()) as { id: string };
    const place = { platform: 'web' as const, workspace: 'local', channel: 'general', thread: message.id };
    const threadId = await eventually(async () => {
      const conversation = await h.sb.chat.conversations.find(place);
      expect((await h.sb.engine.threads.get(conversation!.thread_id)).status).toBe('interrupted');
      return conversation!.thread_id;
    }, 10_000);
    const [asked] = await h.sb.engine.runs.list(threadId);
    expect(asked!.kwargs.config?.configurable).toMatchObject({
      langgraph_auth_user_id: 'web:ana',
      langgraph_auth_user: { identity: 'web:ana', display_name: 'ana', platform: 'web' },
      chat: { platform: 'web', workspace: 'local', channel: 'general', conversation: message.id, message_id: message.id, is_direct: false },
    });
    await post('/playground/api/channels/general/messages', { user: 'ana', text: '/sb use talker', thread: message.id });
    await post('/playground/api/channels/general/messages', { user: 'ana', text: 'one', thread: message.id });
    await h.sb.chat.idle();
    const talker = (await h.sb.engine.assistants.findByIdOrName('talker'))!;
    await eventually(async () => expect((await h.sb.engine.runs.list(threadId))[0]).toMatchObject({ assistant_id: talker.assistant_id, status: 'success' }), 10_000);
    const { messages } = (await (await fetch(`${h.url}/playground/api/channels/general/messages`)).json()) as { messages: Array<{ thread: string | null; markdown: string }> };
    const inThread = messages.filter((entry) => entry.thread === message.id).map((entry) => entry.markdown);
    expect(inThread.at(-1)).toMatch(/^You said: "one"/);
    expect(inThread.join('\n')).not.toContain('Sent this to the team');
  });

  it('channels: the configured ones, and new ones that every browser hears about', async () => {
    t = await startTestSwitchboard({ config: { platforms: { web: { channels: ['support', 'general'] } } } });
    expect(((await (await fetch(`${t.url}/playground/api/state`)).json()) as { channels: string[] }).channels).toEqual(['general', 'support']);
    const stream = listen(t.url);
    await eventually(() => expect(stream.events.length).toBeGreaterThan(0));
    expect((await post('/playground/api/channels', { name: 'launch' })).status).toBe(201);
    await eventually(() => expect(stream.events.some((event) => event.event === 'channel' && event.data.name === 'launch')).toBe(true));
    await t.restart();
    expect(((await (await fetch(`${t.url}/playground/api/state`)).json()) as { channels: string[] }).channels).toEqual(['general', 'launch', 'support']);
    await stream.close();
  });

  it('with an API key, the playground is behind it too: a browser signs in once with ?key= and keeps an HttpOnly cookie', async () => {
    t = await startTestSwitchboard({ config: { server: { port: 0, api_key: 'sesame-0123456789' } } });
    expect((await fetch(`${t.url}/`)).status).toBe(401);
    expect((await fetch(`${t.url}/playground/api/state`)).status).toBe(401);
    expect((await fetch(`${t.url}/?key=wrong`, { redirect: 'manual' })).status).toBe(401);
    const signIn = await fetch(`${t.url}/?key=sesame-0123456789`, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/');
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/switchboard_key=sesame-0123456789/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const headers = { cookie: cookie.split(';')[0]! };
    expect((await fetch(`${t.url}/`, { headers })).status).toBe(200);
    expect((await fetch(`${t.url}/playground/api/state`, { headers })).status).toBe(200);
    // The page's links to a thread's state and history work with the same cookie.
    expect((await fetch(`${t.url}/threads/search`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
  });

  it('can be turned off: platforms.web.enabled: false serves no page', async () => {
    t = await startTestSwitchboard({ config: { platforms: { web: { enabled: false } } } });
    expect((await fetch(`${t.url}/`)).status).toBe(404);
    expect((await fetch(`${t.url}/playground/api/state`)).status).toBe(404);
    expect(t.sb.platform('web')).toBeUndefined();
  });
});
