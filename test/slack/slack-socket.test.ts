import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { tsCounter, useSlackHarness } from '../helpers/slack.ts';
import { messageEvent } from '../fakes/slack.ts';

const nextTs = tsCounter(1_770_000_000);

describe('Slack (Socket Mode) through the real Bolt app', () => {
  const h = useSlackHarness('socket');
  const lastText = (channel: string, thread: string) => h.slack.thread(channel, thread).at(-1)?.text ?? '';

  it('opens the connection with the app token, acks each envelope, and answers in the thread', async () => {
    await h.start();
    const opened = h.slack.callsOf('apps.connections.open').at(-1)!;
    expect(opened).toBeDefined();
    const health = (await (await fetch(`${h.t.url}/ok`)).json()) as { platforms: { slack: { mode: string } } };
    expect(health.platforms.slack.mode).toBe('socket');
    // HTTP mode's endpoint is not served in Socket Mode.
    expect((await fetch(`${h.t.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);

    const root = nextTs();
    const started = Date.now();
    await h.slack.sendEnvelope('events_api', messageEvent({ text: '<@UBOT> hello over the socket', ts: root, mention: true }));
    expect(Date.now() - started).toBeLessThan(1000);
    await eventually(() => expect(lastText('C1', root)).toContain('You said: "hello over the socket"'), 10_000);
  });

  it('reconnects when the socket drops, and messages flow again', async () => {
    await h.start();
    const opens = h.slack.callsOf('apps.connections.open').length;
    h.slack.dropSocket();
    await eventually(() => expect(h.slack.socketConnected).toBe(true), 20_000);
    expect(h.slack.callsOf('apps.connections.open').length).toBeGreaterThan(opens);
    const root = nextTs();
    await h.slack.sendEnvelope('events_api', messageEvent({ text: '<@UBOT> still there?', ts: root, mention: true }));
    await eventually(() => expect(lastText('C1', root)).toContain('You said: "still there?"'), 10_000);
  });

  it('runs the slash command over the socket and answers privately through response_url', async () => {
    await h.start();
    await h.slack.sendEnvelope('slash_commands', {
      token: 'x',
      team_id: 'T1',
      channel_id: 'C1',
      user_id: 'U1',
      user_name: 'ana',
      command: '/sb',
      text: 'list',
      api_app_id: 'A1',
      response_url: `${h.slack.url}/response/socket-list`,
      trigger_id: 'trigger',
    });
    await eventually(() => expect(h.slack.responses.find((entry) => entry.id === 'socket-list')).toBeDefined());
    const answer = h.slack.responses.find((entry) => entry.id === 'socket-list')!.body;
    expect(answer.response_type).toBe('ephemeral');
    expect(String(answer.text)).toContain('*approver*');
  });

  it('a button click over the socket resumes the interrupted run', async () => {
    await h.start({ chat: { assistant: 'approver' } });
    const root = nextTs();
    await h.slack.sendEnvelope('events_api', messageEvent({ text: '<@UBOT> ship it', ts: root, mention: true }));
    await eventually(() => expect(h.slack.thread('C1', root).some((message) => message.blocks)).toBe(true), 10_000);
    const prompt = h.slack.thread('C1', root).find((message) => message.blocks)!;
    const buttons = (prompt.blocks as Array<{ type: string; elements?: Array<{ action_id: string }> }>).find((block) => block.type === 'actions')!.elements!;
    await h.slack.sendEnvelope('interactive', {
      type: 'block_actions',
      user: { id: 'U2', username: 'bo', name: 'bo', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'x',
      container: { type: 'message', message_ts: prompt.ts, channel_id: 'C1', is_ephemeral: false },
      trigger_id: 'trigger',
      team: { id: 'T1', domain: 'fake' },
      channel: { id: 'C1', name: 'general' },
      message: { type: 'message', ts: prompt.ts, thread_ts: root, text: 'prompt' },
      response_url: `${h.slack.url}/response/click`,
      actions: [{ type: 'button', action_id: buttons[0]!.action_id, block_id: 'b', value: '0', action_ts: '1' }],
    });
    await eventually(() => expect(lastText('C1', root)).toContain('Approved'), 10_000);
    expect(JSON.stringify(h.slack.thread('C1', root).find((message) => message.ts === prompt.ts)!.blocks)).toContain('*bo* chose *Approve*');
  });
});
