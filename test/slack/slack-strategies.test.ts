import { describe, expect, it } from 'vitest';
import type { ChatStrategy } from '../../src/config/schema.ts';
import { eventually } from '../helpers/chat.ts';
import { BURST, expectCollected, expectInterrupted, expectRolledBack } from '../helpers/strategy-outcomes.ts';
import { tsCounter, useSlackHarness } from '../helpers/slack.ts';
import { messageEvent, postSigned } from '../fakes/slack.ts';

const nextTs = tsCounter(1_760_000_000);

/**
 * Five messages in one Slack thread, each posted as soon as the previous was acked (as a
 * fast typist's messages arrive), while the slow assistant is still answering the first.
 */
describe('Slack: every double-texting strategy under 5 rapid messages', () => {
  const h = useSlackHarness('http');

  async function burst(strategy: ChatStrategy) {
    const t = await h.start({ chat: { assistant: 'slowtalker', strategy, collect_quiet_ms: 400 }, platforms: { slack: { streaming: 'edit' } } });
    const root = nextTs();
    for (const [index, text] of BURST.entries()) {
      const event = index === 0 ? messageEvent({ text: `<@UBOT> ${text}`, ts: root, mention: true }) : messageEvent({ text, ts: nextTs(), thread_ts: root });
      const response = await postSigned(`${t.url}/slack/events`, JSON.stringify(event));
      expect(response.status).toBe(200);
    }
    const place = { platform: 'slack', workspace: 'T1', channel: 'C1', thread: root };
    await eventually(async () => expect(await t.sb.chat.conversations.find(place)).toBeDefined());
    const conversation = (await t.sb.chat.conversations.find(place))!;
    // Every run has ended and every reply has reached Slack.
    await eventually(async () => {
      const runs = await t.sb.engine.runs.list(conversation.thread_id, { limit: 100 });
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.every((run) => run.status !== 'pending' && run.status !== 'running')).toBe(true);
    }, 20_000);
    await t.sb.chat.idle();
    await eventually(() => expect(t.sb.chat.outbox.pendingCount()).toBe(0), 10_000);
    const state = await t.sb.engine.threads.getState(conversation.thread_id);
    const humans = (state.values.messages as Array<{ type: string; content: string }>).filter((message) => message.type === 'human').map((message) => message.content);
    const replies = h.slack.thread('C1', root).map((message) => message.text);
    const runs = await t.sb.engine.runs.list(conversation.thread_id, { limit: 100 });
    return { root, humans, replies, runs };
  }

  it('enqueue: every message answered, in order, each reply in the thread', async () => {
    const { humans, replies } = await burst('enqueue');
    expect(humans).toEqual(BURST);
    expect(replies).toHaveLength(5);
    replies.forEach((reply, index) => {
      expect(reply).toMatch(new RegExp(`^You said: "${BURST[index]}". This is message ${index + 1}`));
    });
  });

  it('reject: the first run is kept, the other four senders are told privately (postEphemeral)', async () => {
    const before = h.slack.callsOf('chat.postEphemeral').length;
    const { root, humans, replies } = await burst('reject');
    expect(humans).toEqual(['first']);
    expect(replies).toHaveLength(1);
    const ephemerals = h.slack.callsOf('chat.postEphemeral').slice(before);
    expect(ephemerals).toHaveLength(4);
    for (const call of ephemerals) {
      expect(call.args).toMatchObject({ channel: 'C1', user: 'U1', thread_ts: root });
      expect(String(call.args.text)).toContain("I'm still working on the previous message");
    }
  });

  it('interrupt: the answer in flight stops (marked so), the newest message is answered in full, nothing is lost from the thread', async () => {
    expectInterrupted(await burst('interrupt'));
  });

  it('rollback: earlier runs are erased, the thread holds only the newest message, and the replaced reply says so', async () => {
    expectRolledBack(await burst('rollback'));
  });

  it('collect: the burst waits for a quiet moment and is answered as one message', async () => {
    expectCollected(await burst('collect'));
  });
});
