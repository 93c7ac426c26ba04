import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, TEST_DATABASE_URL } from '../helpers/postgres.ts';
import { tsCounter, useSlackHarness } from '../helpers/slack.ts';
import { blockAction, messageEvent, postSigned, slashCommand } from '../fakes/slack.ts';

const nextTs = tsCounter(1_750_000_000);

describe('Slack (HTTP mode) through the real Bolt app', () => {
  const h = useSlackHarness('http');
  const start = (config: Record<string, unknown> = {}) => h.start(config);
  const events = () => `${h.t.url}/slack/events`;
  const send = (event: ReturnType<typeof messageEvent>, options: Parameters<typeof postSigned>[2] = {}) => postSigned(events(), JSON.stringify(event), options);
  const lastText = (channel: string, thread: string) => h.slack.thread(channel, thread).at(-1)?.text ?? '';
  const conversationOf = (channel: string, thread: string) => h.t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel, thread });

  it('answers the url_verification challenge and refuses bad signatures and stale timestamps with 401, starting nothing', async () => {
    await start();
    const challenge = await postSigned(events(), JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 'x' }));
    expect(await challenge.json()).toEqual({ challenge: 'abc123' });
    const root = nextTs();
    const forged = await send(messageEvent({ text: '<@UBOT> hi', ts: root, mention: true }), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const stale = await send(messageEvent({ text: '<@UBOT> hi', ts: root, mention: true }), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.slack.thread('C1', root)).toEqual([]);
    expect((await h.t.sb.engine.threads.search({ limit: 10 })).total).toBe(0);
  });

  it('a mention starts a conversation answered in its thread, streamed by edits, with a reaction while busy', async () => {
    await start({ platforms: { slack: { streaming: 'edit' } }, chat: { assistant: 'slowtalker' } });
    const root = nextTs();
    const started = Date.now();
    const response = await send(messageEvent({ text: '<@UBOT> tell me about onboarding', ts: root, mention: true }));
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    await eventually(() => expect(lastText('C1', root)).toContain('This is message 1 of our conversation'), 10_000);
    await h.t.sb.chat.idle();
    const posts = h.slack.callsOf('chat.postMessage').filter((call) => call.args.thread_ts === root);
    expect(posts).toHaveLength(1);
    expect(h.slack.callsOf('chat.update').length).toBeGreaterThan(1);
    expect(lastText('C1', root)).toMatch(/^You said: "tell me about onboarding"/);
    expect(h.slack.callsOf('reactions.add').at(-1)!.args).toMatchObject({ channel: 'C1', timestamp: root, name: 'hourglass_flowing_sand' });
    expect(h.slack.callsOf('reactions.remove').at(-1)!.args).toMatchObject({ channel: 'C1', timestamp: root });
    // The graph is told who is talking and where, under the Platform's custom-auth keys.
    const conversation = await conversationOf('C1', root);
    const [run] = await h.t.sb.engine.runs.list(conversation!.thread_id);
    expect(run!.kwargs.config?.configurable).toMatchObject({
      langgraph_auth_user_id: 'slack:T1:U1',
      langgraph_auth_user: { identity: 'slack:T1:U1', is_authenticated: true, platform: 'slack', permissions: [] },
      chat: { platform: 'slack', workspace: 'T1', channel: 'C1', conversation: root, message_id: root, is_direct: false },
    });
  });

  it("streams with Slack's native streaming in a thread, and shows status with setStatus in assistant threads", async () => {
    await start({ chat: { assistant: 'slowtalker' } });
    h.slack.assistantChannels.add('C-AI');
    const root = nextTs();
    await send(messageEvent({ channel: 'C-AI', text: '<@UBOT> stream natively', ts: root, mention: true }));
    await eventually(() => expect(h.slack.callsOf('chat.stopStream').length).toBeGreaterThan(0), 10_000);
    await h.t.sb.chat.idle();
    const opened = h.slack.callsOf('chat.startStream').at(-1)!;
    expect(opened.args).toMatchObject({ channel: 'C-AI', thread_ts: root, recipient_user_id: 'U1', recipient_team_id: 'T1' });
    expect(h.slack.callsOf('chat.appendStream').length).toBeGreaterThan(1);
    expect(lastText('C-AI', root)).toMatch(/^You said: "stream natively"/);
    const statuses = h.slack
      .callsOf('assistant.threads.setStatus')
      .filter((call) => call.args.channel_id === 'C-AI')
      .map((call) => call.args.status);
    expect(statuses).toEqual(['is thinking…', '']);
  });

  it('mentioned in a thread it was not part of, it reads what was said there first (people by name, its own words as its own)', async () => {
    await start({ chat: { context_messages: 3 } });
    const root = nextTs();
    h.slack.said({ channel: 'C1', ts: root, user: 'U1', text: 'the deploy failed at 3pm' });
    const older = nextTs();
    h.slack.said({ channel: 'C1', ts: older, threadTs: root, user: 'U2', text: 'too old to be read with a limit of 3' });
    for (const [user, text] of [
      ['U2', 'it was the migration'],
      ['U1', 'rolled back at 3:20'],
      ['U2', 'all green now'],
    ] as const) {
      h.slack.said({ channel: 'C1', ts: nextTs(), threadTs: root, user, text });
    }
    const mention = nextTs();
    await send(messageEvent({ text: '<@UBOT> what happened here?', ts: mention, thread_ts: root, user: 'U3', mention: true }));
    await eventually(() => expect(lastText('C1', root)).toMatch(/^You said/), 10_000);
    await h.t.sb.chat.idle();
    const conversation = await conversationOf('C1', root);
    const state = await h.t.sb.engine.threads.getState(conversation!.thread_id);
    const messages = (state.values.messages as Array<{ type: string; content: string; name?: string }>).map((message) => [message.type, message.name ?? null, message.content]);
    expect(messages.slice(0, 4)).toEqual([
      ['human', 'bo', 'it was the migration'],
      ['human', 'ana', 'rolled back at 3:20'],
      ['human', 'bo', 'all green now'],
      ['human', 'cy', 'what happened here?'],
    ]);
    expect(h.slack.callsOf('conversations.replies').at(-1)!.args).toMatchObject({ channel: 'C1', ts: root, latest: mention });
    // A second message in the conversation reads nothing again.
    await send(messageEvent({ text: 'thanks', ts: nextTs(), thread_ts: root, user: 'U3' }));
    await h.t.sb.chat.idle();
    expect(h.slack.callsOf('conversations.replies')).toHaveLength(1);
  });

  it('switches assistant mid-conversation with @bot use, keeping the thread', async () => {
    await start();
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> remote onboarding', ts: root, mention: true }));
    await eventually(() => expect(lastText('C1', root)).toContain('You said'), 10_000);
    await send(messageEvent({ text: '<@UBOT> use tweet', ts: nextTs(), thread_ts: root, mention: true }));
    await eventually(() => expect(lastText('C1', root)).toContain('Now using *tweet*'));
    await send(messageEvent({ text: 'now make it short', ts: nextTs(), thread_ts: root }));
    await eventually(() => expect(lastText('C1', root)).toContain('#'), 10_000);
    await h.t.sb.chat.idle();
    const conversation = await conversationOf('C1', root);
    const state = await h.t.sb.engine.threads.getState(conversation!.thread_id);
    const humans = (state.values.messages as Array<{ type: string; content: string }>).filter((message) => message.type === 'human').map((message) => message.content);
    expect(humans).toEqual(['remote onboarding', 'now make it short']);
  });

  it('who may talk: someone off the channel list is told privately, once, and starts nothing; `use` drops a pending question, and the next message goes to the new assistant', async () => {
    await start({ chat: { access: { users: ['slack:U1'] }, assistant: 'approver' } });
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> publish the notes', ts: root, mention: true, user: 'U1' }));
    await eventually(() => expect(h.slack.thread('C1', root).some((message) => message.blocks)).toBe(true), 10_000);
    await send(messageEvent({ text: '<@UBOT> me too', ts: nextTs(), user: 'U2', mention: true }));
    await send(messageEvent({ text: '<@UBOT> me again', ts: nextTs(), user: 'U2', mention: true }));
    await h.t.sb.chat.idle();
    const toBo = () => h.slack.callsOf('chat.postEphemeral').filter((call) => call.args.user === 'U2');
    await eventually(() => expect(toBo().map((call) => call.args.text)).toEqual(["Sorry, I only answer people on this channel's list. Ask an admin to add you."]));
    expect((await h.t.sb.engine.threads.search({ limit: 10 })).total).toBe(1);

    await send(messageEvent({ text: '<@UBOT> use talker', ts: nextTs(), thread_ts: root, mention: true, user: 'U1' }));
    await eventually(() => expect(lastText('C1', root)).toContain('The pending question was dropped.'));
    await eventually(() => expect(JSON.stringify(h.slack.thread('C1', root).find((message) => message.blocks)?.blocks)).toContain('dropped by ana: switched to talker'));
    await send(messageEvent({ text: 'one', ts: nextTs(), thread_ts: root, user: 'U1' }));
    await eventually(() => expect(lastText('C1', root)).toMatch(/^You said: "one"/), 10_000);
  });

  it('a retried event, and the same post as app_mention and message, start one run', async () => {
    await start();
    const root = nextTs();
    const mention = messageEvent({ text: '<@UBOT> once please', ts: root, mention: true, eventId: 'EvDup' });
    await send(mention);
    await send(mention, { retryNum: 1 });
    await send(messageEvent({ text: '<@UBOT> once please', ts: root, eventId: 'EvOther' }));
    await eventually(() => expect(lastText('C1', root)).toContain('You said'), 10_000);
    await h.t.sb.chat.idle();
    expect(h.slack.callsOf('chat.postMessage').filter((call) => call.args.thread_ts === root)).toHaveLength(1);
    const conversation = await conversationOf('C1', root);
    expect(await h.t.sb.engine.runs.list(conversation!.thread_id)).toHaveLength(1);
  });

  it('the playground stays available beside Slack, each conversation answered on its own platform', async () => {
    await start();
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> from slack', ts: root, mention: true }));
    const posted = await fetch(`${h.t.url}/playground/api/channels/general/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'ana', text: 'from the playground' }),
    });
    expect(posted.status).toBe(201);
    const { id } = (await posted.json()) as { id: string };
    await eventually(() => expect(lastText('C1', root)).toContain('You said: "from slack"'), 10_000);
    await eventually(async () => {
      const { messages } = (await (await fetch(`${h.t.url}/playground/api/channels/general/messages`)).json()) as { messages: Array<{ thread: string; markdown: string }> };
      expect(messages.find((message) => message.thread === id)?.markdown).toContain('You said: "from the playground"');
    }, 10_000);
    expect(JSON.stringify(h.slack.calls)).not.toContain('from the playground');
  });

  it('ignores its own messages and other bots', async () => {
    await start({ chat: { respond: 'all' } });
    const own = nextTs();
    await send(messageEvent({ user: 'UBOT', text: 'I said this', ts: own }));
    const other = nextTs();
    await send(messageEvent({ user: 'U9', botId: 'B9', text: 'beep', ts: other }));
    const human = nextTs();
    await send(messageEvent({ text: 'a human, no mention', ts: human }));
    await eventually(() => expect(lastText('C1', human)).toContain('You said'), 10_000);
    expect(h.slack.thread('C1', own)).toEqual([]);
    expect(h.slack.thread('C1', other)).toEqual([]);
  });

  it('retries a reply refused with 429 after Retry-After', async () => {
    await start();
    // 3 s: longer than chat.postMessage's own pacing (about 1 a second per channel), which alone would space two posts 1 s apart.
    h.slack.failNext('chat.postMessage', { status: 429, retryAfter: 3 });
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> rate limit me', ts: root, mention: true }));
    await eventually(() => expect(lastText('C1', root)).toContain('You said: "rate limit me"'), 10_000);
    // This thread's posts only (the fake Slack is shared by the file): the refused one, then its retry.
    const attempts = h.slack.callsOf('chat.postMessage').filter((call) => call.args.thread_ts === root);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2950);
  });

  it('splits a long answer into thread replies under 4,000 characters, losing no text', async () => {
    await start({ platforms: { slack: { streaming: 'edit' } } });
    const root = nextTs();
    const long = Array.from({ length: 900 }, (_, index) => `w${index}`).join(' ');
    await send(messageEvent({ text: `<@UBOT> ${long}`, ts: root, mention: true }));
    await eventually(() => expect(h.slack.thread('C1', root).length).toBeGreaterThan(1), 15_000);
    await h.t.sb.chat.idle();
    const parts = h.slack.thread('C1', root).map((message) => String(message.text));
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4_000);
    expect(parts.join('').replace(/\s+/g, ' ')).toContain(long);
  });

  it('/slack/events needs no API key (Slack signs its requests) while the API does', async () => {
    await start({ server: { port: 0, api_key: 'slack-test-key-0123456789' } });
    expect((await fetch(`${h.t.url}/info`)).status).toBe(401);
    const root = nextTs();
    const response = await send(messageEvent({ text: '<@UBOT> no key here', ts: root, mention: true }));
    expect(response.status).toBe(200);
    await eventually(() => expect(lastText('C1', root)).toContain('You said: "no key here"'), 10_000);
    const forged = await send(messageEvent({ text: '<@UBOT> forged', ts: nextTs(), mention: true }), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
  });

  for (const backend of ['files', 'postgres'] as const) {
    it.skipIf(backend === 'postgres' && !HAS_POSTGRES)(`on ${backend}, a retry of an event that arrives after a restart starts nothing again (dedupe is stored)`, async () => {
      const schema = backend === 'postgres' ? freshSchema() : undefined;
      try {
        await h.start({}, schema ? { DATABASE_URL: TEST_DATABASE_URL!, DATABASE_SCHEMA: schema } : {});
        expect(h.t.sb.engine.storage.kind).toBe(backend === 'files' ? 'lowdb' : 'postgres');
        const root = nextTs();
        const mention = messageEvent({ text: '<@UBOT> only once', ts: root, mention: true, eventId: `EvRestart-${backend}` });
        await send(mention);
        await eventually(() => expect(lastText('C1', root)).toContain('You said: "only once"'), 10_000);
        await h.t.sb.chat.idle();
        await h.t.restart();
        expect((await send(mention, { retryNum: 2 })).status).toBe(200);
        await send(messageEvent({ text: '<@UBOT> only once', ts: root, eventId: `EvRestartOther-${backend}` }));
        await new Promise((resolve) => setTimeout(resolve, 500));
        await h.t.sb.chat.idle();
        expect(h.slack.thread('C1', root)).toHaveLength(1);
        const conversation = await conversationOf('C1', root);
        expect(await h.t.sb.engine.runs.list(conversation!.thread_id)).toHaveLength(1);
      } finally {
        if (schema) {
          await h.t.sb.stop();
          await dropSchema(schema);
        }
      }
    });
  }

  it('delivers after a restart a reply Slack did not take before it', async () => {
    await start();
    h.slack.failNext('chat.postMessage', ...Array.from({ length: 100 }, () => ({ status: 500 as const })));
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> survive this', ts: root, mention: true }));
    const attemptsOnRoot = () => h.slack.callsOf('chat.postMessage').filter((call) => call.args.thread_ts === root).length;
    await eventually(() => expect(attemptsOnRoot()).toBeGreaterThan(1), 10_000);
    // Switchboard goes down while the reply is still undelivered; Slack is back when it returns.
    await h.t.sb.stop();
    h.slack.resetFailures('chat.postMessage');
    await h.t.restart();
    await eventually(() => expect(lastText('C1', root)).toContain('You said: "survive this"'), 15_000);
    await h.t.sb.chat.idle();
    expect(h.slack.thread('C1', root)).toHaveLength(1);
  });

  it('runs the slash command and answers privately through response_url', async () => {
    await start();
    const response = await postSigned(events(), slashCommand({ text: 'list', responseId: 'r1', fakeUrl: h.slack.url }), { contentType: 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(200);
    await eventually(() => expect(h.slack.responses.find((entry) => entry.id === 'r1')).toBeDefined());
    const answer = h.slack.responses.find((entry) => entry.id === 'r1')!.body;
    expect(answer.response_type).toBe('ephemeral');
    expect(String(answer.text)).toContain('*tweet*');
    await postSigned(events(), slashCommand({ text: 'use tweet', responseId: 'r2', fakeUrl: h.slack.url, channel: 'C7' }), { contentType: 'application/x-www-form-urlencoded' });
    await eventually(() => expect(String(h.slack.responses.find((entry) => entry.id === 'r2')?.body.text)).toContain('default assistant of this channel'));
    const root = nextTs();
    await send(messageEvent({ channel: 'C7', text: '<@UBOT> launch day', ts: root, mention: true }));
    await eventually(() => expect(lastText('C7', root)).toContain('#'), 10_000);
  });

  describe('interrupts as buttons', () => {
    async function askApproval(config: Record<string, unknown> = {}) {
      await start({ chat: { assistant: 'approver', ...config } });
      const root = nextTs();
      await send(messageEvent({ text: '<@UBOT> ship the release', ts: root, mention: true }));
      await eventually(() => expect(h.slack.thread('C1', root).some((message) => message.blocks)).toBe(true), 10_000);
      const prompt = h.slack.thread('C1', root).find((message) => message.blocks)!;
      const actions = (prompt.blocks as Array<{ type: string; elements?: Array<{ action_id: string; text: { text: string }; style?: string }> }>).find(
        (block) => block.type === 'actions',
      )!;
      return { root, prompt, buttons: actions.elements! };
    }
    const clickAs = (user: string, name: string, actionId: string, root: string, messageTs: string) =>
      postSigned(events(), blockAction({ actionId, user, userName: name, messageTs, threadTs: root }), { contentType: 'application/x-www-form-urlencoded' });

    it('renders Block Kit buttons; an allowed click resumes the run and the prompt shows who chose what', async () => {
      const { root, prompt, buttons } = await askApproval();
      expect(buttons.map((button) => button.text.text)).toEqual(['Approve', 'Reject', 'Edit']);
      expect(buttons[0]!.style).toBe('primary');
      expect(buttons[0]!.action_id.length).toBeLessThanOrEqual(255);
      const response = await clickAs('U2', 'bo', buttons[0]!.action_id, root, prompt.ts);
      expect(response.status).toBe(200);
      await eventually(() => expect(lastText('C1', root)).toContain('Approved. Sent this to the team'), 10_000);
      const edited = h.slack.thread('C1', root).find((message) => message.ts === prompt.ts)!;
      expect(JSON.stringify(edited.blocks)).toContain('*bo* chose *Approve*');
      expect(JSON.stringify(edited.blocks)).not.toContain('"actions"');
    });

    it('refuses a click by someone not allowed, privately, and tells a second clicker who answered', async () => {
      const { root, prompt, buttons } = await askApproval({ prompt_answerers: 'starter' });
      await clickAs('U2', 'bo', buttons[0]!.action_id, root, prompt.ts);
      await eventually(() => expect(h.slack.callsOf('chat.postEphemeral').at(-1)?.args).toMatchObject({ user: 'U2', text: 'Only the person who asked can answer this.' }));
      await clickAs('U1', 'ana', buttons[1]!.action_id, root, prompt.ts);
      await eventually(() => expect(lastText('C1', root)).toContain('Rejected'), 10_000);
      await clickAs('U1', 'ana', buttons[0]!.action_id, root, prompt.ts);
      await eventually(() => expect(h.slack.callsOf('chat.postEphemeral').at(-1)?.args).toMatchObject({ user: 'U1', text: 'Already answered by ana (Reject).' }));
      await h.t.sb.chat.idle();
      const conversation = await conversationOf('C1', root);
      expect(await h.t.sb.engine.runs.list(conversation!.thread_id)).toHaveLength(2);
    });
  });
});
