import { afterEach, describe, expect, it } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { answerOf } from '../../src/chat/replies.ts';
import { FakeSlack, messageEvent, postSigned, SIGNING_SECRET } from '../fakes/slack.ts';
import { SLACK_DOCUMENTED_LIMITS } from '../fakes/slack-limits.ts';
import { eventually } from '../helpers/chat.ts';
import { tsCounter } from '../helpers/slack.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

const nextTs = tsCounter(1_760_000_000);

/** Switchboard against a fake Slack of its own that enforces Slack's documented limits. */
async function start(config: Record<string, unknown> = {}, limits = SLACK_DOCUMENTED_LIMITS) {
  const slack = new FakeSlack();
  await slack.start();
  slack.enforceLimits(limits);
  const t = await startTestSwitchboard({
    env: { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, SLACK_SIGNING_SECRET: SIGNING_SECRET },
    config: { runs: { workers: 16 }, ...config },
  });
  running.push({ slack, t });
  return { slack, t };
}
const running: Array<{ slack: FakeSlack; t: TestSwitchboard }> = [];
afterEach(async () => {
  for (const { slack, t } of running.splice(0)) {
    await t.dispose();
    await slack.stop();
  }
});

/** `count` people mention the bot at once, spread over `channels` channels. */
async function burst(t: TestSwitchboard, count: number, channels: number) {
  const mentions = Array.from({ length: count }, (_, index) => ({ channel: `CB${index % channels}`, root: nextTs(), text: `question number ${index}` }));
  const acks = await Promise.all(
    mentions.map(({ channel, root, text }) => postSigned(`${t.url}/slack/events`, JSON.stringify(messageEvent({ channel, text: `<@UBOT> ${text}`, ts: root, mention: true })))),
  );
  expect(acks.map((ack) => ack.status)).toEqual(mentions.map(() => 200));
  return mentions;
}

/** Every mention's thread shows its run's whole answer (mrkdwn when posted, markdown when streamed natively). */
async function expectAllAnswered(slack: FakeSlack, t: TestSwitchboard, mentions: Array<{ channel: string; root: string; text: string }>, timeoutMs: number) {
  await eventually(async () => {
    for (const { channel, root, text } of mentions) {
      const conversation = await t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel, thread: root });
      expect(conversation, `conversation of ${text}`).toBeTruthy();
      const answer = answerOf((await t.sb.engine.threads.getState(conversation!.thread_id)).values as Record<string, unknown>);
      expect(answer).toContain(text);
      const said = slack.thread(channel, root).map((message) => message.text);
      expect(said, `the answer to ${text}`).toHaveLength(1);
      expect([answer, toMrkdwn(answer)]).toContain(said[0]);
    }
  }, timeoutMs);
}

// A burst takes at least what Slack's limits allow (ten seconds for the largest) and longer on a busy machine.
describe('Slack under load, against a fake Slack with its documented rate limits', { timeout: 90_000 }, () => {
  it('60 people mention the bot at once in 6 channels: every answer arrives whole, no call goes out during a Retry-After, and 429s stay under 5% of calls', async () => {
    const { slack, t } = await start();
    const mentions = await burst(t, 60, 6);
    // Ten answers a channel at about one chat.postMessage a second: the bound is ten seconds.
    await expectAllAnswered(slack, t, mentions, 75_000);
    await t.sb.chat.idle();
    expect(slack.callsDuringRetryAfter()).toEqual([]);
    const refused = slack.calls.filter((call) => call.refused).length;
    expect(refused / slack.calls.length).toBeLessThanOrEqual(0.05);
  });

  it('under a storm of scripted 429s on posts, edits and streams, nothing is lost or cut and nothing calls a bucket before its Retry-After has passed', async () => {
    const { slack, t } = await start({ chat: { assistant: 'slowtalker' } });
    for (const method of ['chat.postMessage', 'chat.update', 'chat.startStream', 'chat.appendStream', 'chat.stopStream']) {
      slack.failNext(method, ...Array.from({ length: 6 }, () => ({ status: 429 as const, retryAfter: 1 })));
    }
    const mentions = await burst(t, 12, 3);
    await expectAllAnswered(slack, t, mentions, 75_000);
    await t.sb.chat.idle();
    expect(slack.calls.filter((call) => call.refused).length).toBeGreaterThanOrEqual(6);
    expect(slack.callsDuringRetryAfter()).toEqual([]);
  });

  it('the final text goes out before intermediate edits when chat.update is scarce', async () => {
    // Two edits in four seconds: streamed edits would hold up the final ones if they queued.
    const scarce = { ...SLACK_DOCUMENTED_LIMITS, 'chat.update': { limit: 2, windowMs: 4000, per: 'workspace' as const } };
    const { slack, t } = await start({ chat: { assistant: 'slowtalker' }, platforms: { slack: { streaming: 'edit' } } }, scarce);
    const mentions = await burst(t, 3, 3);
    await expectAllAnswered(slack, t, mentions, 75_000);
    await t.sb.chat.idle();
    let finalEdits = 0;
    for (const { channel, root } of mentions) {
      const conversation = await t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel, thread: root });
      const [run] = await t.sb.engine.runs.list(conversation!.thread_id);
      const runEnded = Date.parse(run!.updated_at);
      const [reply] = slack.thread(channel, root);
      const edits = slack.callsOf('chat.update').filter((call) => call.args.ts === reply!.ts && !call.refused && call.at >= runEnded);
      // After its run ended, the first edit of a reply is its final text: no intermediate one goes first.
      if (edits.length > 0) expect(edits[0]!.args.text).toBe(reply!.text);
      expect(edits.length).toBeLessThanOrEqual(1);
      finalEdits += edits.length;
    }
    // The replies were streamed (a first part posted early), so their final text did take an edit.
    expect(finalEdits).toBeGreaterThan(0);
    expect(slack.callsDuringRetryAfter()).toEqual([]);
  });
});
