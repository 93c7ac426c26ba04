import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChatHost, ChatUser, Place } from '../../src/chat/types.ts';
import { HttpError } from '../../src/http/errors.ts';
import { sseResponse } from '../../src/http/sse.ts';
import { playgroundFormRoutes } from './form-routes.ts';
import { parseWith, readBody } from '../../src/http/validate.ts';
import { type PlaygroundFiles, playgroundFileRoutes, readMessageForm } from './files.ts';
import type { PlaygroundHub } from './hub.ts';
import { BOT_NAME, WORKSPACE } from './identity.ts';
import { CHANNEL_NAME, type PlaygroundStore } from './store.ts';
import { PACKAGE_ROOT } from '../../src/util/package-root.ts';

export interface PlaygroundRouteDeps {
  store: PlaygroundStore;
  files: PlaygroundFiles;
  hub: PlaygroundHub;
  command: string;
  chat: () => ChatHost | undefined;
  isBusy: (channel: string, thread: string | null) => boolean;
  log: Logger;
}

const STATIC: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'markdown.js': 'text/javascript; charset=utf-8',
  'state.js': 'text/javascript; charset=utf-8',
  'render.js': 'text/javascript; charset=utf-8',
  'info.js': 'text/javascript; charset=utf-8',
  'forms.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};
// Everything the page needs comes from this server: no CDN, no external font, works offline.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const userName = z
  .string()
  .trim()
  .min(1, 'a name is needed')
  .max(40)
  .regex(/^[^\u0000-\u001f<>]+$/, 'letters, digits, spaces and punctuation only')
  .refine((name) => name.toLowerCase() !== BOT_NAME, `"${BOT_NAME}" is the bot's name`);
const newMessage = z.strictObject({
  user: userName,
  text: z
    .string()
    .max(20_000)
    .refine((text) => text.trim() !== '', 'a message needs some text'),
  thread: z.string().min(1).optional(),
});
const newChannel = z.strictObject({ name: z.string().regex(CHANNEL_NAME, 'lowercase letters, digits, _ and -, at most 40') });
const vote = z.strictObject({ user: userName, channel: z.string().min(1), thread: z.string().min(1), threadId: z.uuid(), runId: z.uuid(), positive: z.boolean() });
const click = z.strictObject({ user: userName, channel: z.string().min(1), thread: z.string().min(1), promptId: z.string().min(1), optionIndex: z.number().int().min(0) });

/** The playground page, its files, and the small API the page talks to. */
export function playgroundRoutes(deps: PlaygroundRouteDeps): Hono {
  const { store, hub } = deps;
  const files = Object.fromEntries(Object.keys(STATIC).map((name) => [name, readFileSync(join(PACKAGE_ROOT, 'adapters/web/public', name), 'utf8')]));
  const routes = new Hono();
  const serve = (name: string) =>
    new Response(files[name], { headers: { 'content-type': STATIC[name]!, 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' } });
  const chatOrFail = () => {
    const chat = deps.chat();
    if (!chat) throw new HttpError(503, 'the playground is starting or stopping; try again in a moment');
    return chat;
  };
  const channelOrFail = (name: string) => {
    if (!store.hasChannel(name)) throw new HttpError(404, `there is no channel #${name}`);
    return name;
  };
  const threadOrFail = (channel: string, thread: string) => {
    const root = store.get(thread);
    if (!root || root.channel !== channel || root.thread !== null) throw new HttpError(404, `there is no thread ${thread} in #${channel}`);
    return thread;
  };
  const placeOf = (channel: string, thread: string | undefined): Place => ({ platform: 'web', workspace: WORKSPACE, channel, thread });
  const privately = (to: string, channel: string, thread: string | null) => async (markdown: string) => hub.tell(to, channel, thread, markdown);

  routes.get('/', () => serve('index.html'));
  routes.get('/playground/:file', (c) => {
    const name = c.req.param('file');
    if (!Object.hasOwn(STATIC, name) || name === 'index.html') throw new HttpError(404, `no file ${name}`);
    return serve(name);
  });

  // Reads start from storage: another process on the same database may have written since.
  routes.use('/playground/api/*', async (_c, next) => {
    await store.refresh();
    await next();
  });

  routes.get('/playground/api/state', (c) => c.json({ channels: store.channels(), command: deps.command, bot: BOT_NAME }));

  routes.post('/playground/api/channels', async (c) => {
    const { name } = await readBody(c, newChannel);
    if (await store.addChannel(name)) hub.publish({ type: 'channel', name });
    return c.json({ name }, 201);
  });

  routes.get('/playground/api/channels/:channel/messages', (c) => {
    const channel = channelOrFail(c.req.param('channel'));
    const messages = store.messages(channel);
    const busy = messages.filter((message) => message.thread === null && deps.isBusy(channel, message.id)).map((message) => message.id);
    return c.json({ messages, busy });
  });

  routes.post('/playground/api/channels/:channel/messages', async (c) => {
    const channel = channelOrFail(c.req.param('channel'));
    // With files the page posts a form (multipart): the fields, and the files as uploaded.
    let body: z.output<typeof newMessage>;
    let uploads: File[] = [];
    if ((c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
      const form = await readMessageForm(c.req.raw);
      uploads = form.files;
      // A message with files may have no text.
      body = parseWith(uploads.length > 0 ? newMessage.extend({ text: z.string().max(20_000) }) : newMessage, form.fields);
    } else body = await readBody(c, newMessage);
    const thread = body.thread === undefined ? undefined : threadOrFail(channel, body.thread);
    const chat = chatOrFail();
    const user: ChatUser = { id: body.user, name: body.user };
    const text = body.text.trim();
    if (uploads.length === 0 && (text === deps.command || text.startsWith(`${deps.command} `))) {
      // A command, as Slack's slash command: only the person who typed it sees it and its answer.
      const reply = privately(user.id, channel, thread ?? null);
      await reply(`\`${text}\``);
      await chat.handleCommand({ place: placeOf(channel, thread), user, text: text.slice(deps.command.length).trim(), reply });
      return c.json({ command: text });
    }
    // The playground is the platform: it keeps the files, as Slack does, whether or not the bot reads them.
    const files = [];
    for (const upload of uploads) files.push(await deps.files.put(upload.name, upload.type, new Uint8Array(await upload.arrayBuffer())));
    const stored = await store.add({ channel, thread: thread ?? null, user: { id: user.id, name: body.user }, markdown: body.text, ...(files.length > 0 ? { files } : {}) });
    hub.publish({ type: 'message', message: stored });
    // Everything typed in the playground is addressed to the bot (as in a direct message).
    await chat.handleMessage({
      place: placeOf(channel, thread ?? stored.id),
      messageId: stored.id,
      user,
      text: body.text,
      mentionsBot: true,
      isDirect: false,
      ...(files.length > 0 ? { files: files.map((file) => deps.files.describe(file)) } : {}),
    });
    return c.json(stored, 201);
  });

  routes.post('/playground/api/actions', async (c) => {
    const body = await readBody(c, click);
    const channel = channelOrFail(body.channel);
    const thread = threadOrFail(channel, body.thread);
    const user: ChatUser = { id: body.user, name: body.user };
    await chatOrFail().handleAction({
      place: placeOf(channel, thread),
      user,
      promptId: body.promptId,
      optionIndex: body.optionIndex,
      replyPrivately: privately(user.id, channel, thread),
    });
    return c.json({ ok: true });
  });

  // Forms an interrupt's option opens (form-routes.ts): the page asks for the form, then sends it filled in.
  routes.route('/', playgroundFormRoutes({ chat: chatOrFail, channelOrFail, threadOrFail, placeOf, privately, userName }));
  // 👍/👎 under an answer: recorded on its run as `web:<name>` (one vote per person).
  routes.post('/playground/api/feedback', async (c) => {
    const body = await readBody(c, vote);
    const channel = channelOrFail(body.channel);
    const thread = threadOrFail(channel, body.thread);
    const user: ChatUser = { id: body.user, name: body.user };
    await chatOrFail().handleFeedback({
      place: placeOf(channel, thread),
      user,
      target: { threadId: body.threadId, runId: body.runId },
      positive: body.positive,
      replyPrivately: privately(user.id, channel, thread),
    });
    return c.json({ ok: true });
  });

  routes.get('/playground/api/channels/:channel/threads/:thread', async (c) => {
    const channel = channelOrFail(c.req.param('channel'));
    const thread = threadOrFail(channel, c.req.param('thread'));
    const info = await chatOrFail().describe(placeOf(channel, thread));
    return c.json({ ...info, busy: deps.isBusy(channel, thread) });
  });

  routes.route('/', playgroundFileRoutes(deps.files));

  routes.get('/playground/api/events', (c) => sseResponse(c, { events: (signal) => hub.subscribe(signal), retryMs: 1000, heartbeatMs: 10_000 }));
  return routes;
}
