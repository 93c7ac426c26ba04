import { toMrkdwn } from '../adapters/slack/mrkdwn.ts';
import { answerOf } from '../src/chat/replies.ts';
import { FakeSlack, messageEvent, postSigned, SIGNING_SECRET, type SlackCall } from '../test/fakes/slack.ts';
import { type BurstResult, sleep, startBurstSwitchboard } from './burst-switchboard.ts';

let ts = 1_790_000_000;
const nextTs = () => `${++ts}.000100`;
const CHANNELS = 6;

/**
 * `count` people mention the bot at once in 6 channels of a fake Slack that enforces Slack's
 * documented limits. An answer is complete when its thread holds exactly the run's answer; it
 * was completed by the last call that changed its message. The bound: every answer needs at
 * least one chat.postMessage in its channel (or a Tier 2 stream start and stop), and a channel
 * takes about one a second, so the busiest channel's answers / 1 per second.
 */
export async function slackBurst(count: number): Promise<BurstResult> {
  const slack = new FakeSlack();
  await slack.start();
  slack.enforceLimits();
  const { sb, stop } = await startBurstSwitchboard({ SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl });
  try {
    // One answer first, so the graph and the model are loaded before the clock starts.
    const warmUp = nextTs();
    await postSigned(`${sb.server.url}/slack/events`, JSON.stringify(messageEvent({ channel: 'CWARM', text: '<@UBOT> warm up', ts: warmUp, mention: true })));
    while (slack.thread('CWARM', warmUp).length === 0 || slack.thread('CWARM', warmUp)[0]!.streaming) await sleep(50);
    await sb.chat.idle();
    const mentions = Array.from({ length: count }, (_, index) => ({ channel: `CBURST${index % CHANNELS}`, root: nextTs(), text: `question number ${index}` }));
    const firstCall = slack.calls.length;
    const started = performance.now();
    const url = `${sb.server.url}/slack/events`;
    await Promise.all(mentions.map(({ channel, root, text }) => postSigned(url, JSON.stringify(messageEvent({ channel, text: `<@UBOT> ${text}`, ts: root, mention: true })))));

    const complete = new Set<string>();
    for (const deadline = Date.now() + 10 * 60_000; complete.size < count && Date.now() < deadline; await sleep(250)) {
      // Reading a run's state is not free: look only once every thread has a finished message.
      if (mentions.some(({ channel, root }) => slack.thread(channel, root).length === 0 || slack.thread(channel, root).some((message) => message.streaming))) continue;
      await sb.chat.idle();
      for (const { channel, root } of mentions) {
        if (complete.has(root)) continue;
        const conversation = await sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel, thread: root });
        if (!conversation) continue;
        const answer = answerOf((await sb.engine.threads.getState(conversation.thread_id)).values as Record<string, unknown>);
        const said = slack.thread(channel, root);
        if (answer && said.length === 1 && !said[0]!.streaming && [answer, toMrkdwn(answer)].includes(said[0]!.text)) complete.add(root);
      }
    }

    const calls = slack.calls.slice(firstCall);
    const answered = calls.filter((call) => !call.refused);
    const finishedAt = mentions.map(({ channel, root }) => {
      const messageTs = slack.thread(channel, root)[0]?.ts;
      const touches = (call: SlackCall) => call.args.channel === channel && (call.args.thread_ts === root || (messageTs !== undefined && call.args.ts === messageTs));
      return Math.max(...answered.filter(touches).map((call) => call.hr));
    });
    const busiest = Math.ceil(count / CHANNELS);
    return {
      conversations: count,
      complete: complete.size,
      lastAnswerMs: Math.max(...finishedAt) - started,
      boundMs: busiest * 1000,
      boundWhy: `${busiest} chat.postMessage in the busiest channel at 1/s`,
      calls: calls.length,
      refused: calls.length - answered.length,
      duringRetryAfter: calls.filter((call) => call.duringRetryAfter).length,
    };
  } finally {
    await stop();
    await slack.stop();
  }
}
