import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack, messageEvent, postSigned, SIGNING_SECRET } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { HAS_POSTGRES } from '../helpers/postgres.ts';
import { tsCounter } from '../helpers/slack.ts';

const nextTs = tsCounter(1_795_000_000);

/** Slack's rate limits when several processes share one PostgreSQL database and one workspace. */
describe.skipIf(!HAS_POSTGRES)('rate limits on several processes', () => {
  let cluster: TestCluster | undefined;
  let slack: FakeSlack | undefined;
  afterEach(async () => {
    await cluster?.dispose();
    cluster = undefined;
    await slack?.stop();
    slack = undefined;
  }, 60_000);

  it('two processes answering 30 mentions in 3 channels of one workspace share one budget: Slack never has to refuse, and no call goes out during a Retry-After the other process learned', async () => {
    slack = new FakeSlack();
    await slack.start();
    slack.enforceLimits();
    cluster = await startTestCluster(2, { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl });
    const firstCall = slack.calls.length;
    const mentions = Array.from({ length: 30 }, (_, index) => ({ channel: `CP${index % 3}`, root: nextTs(), text: `question number ${index}` }));
    // A load balancer's share: the mentions of each channel alternate between the two processes.
    const acks = await Promise.all(
      mentions.map(({ channel, root, text }, index) =>
        postSigned(`${cluster!.processes[index % 2]!.url}/slack/events`, JSON.stringify(messageEvent({ channel, text: `<@UBOT> ${text}`, ts: root, mention: true }))),
      ),
    );
    expect(acks.map((ack) => ack.status)).toEqual(mentions.map(() => 200));
    // Ten answers a channel at about one chat.postMessage a second, whichever process sends them.
    await eventually(() => {
      for (const { channel, root, text } of mentions) {
        const said = slack!.thread(channel, root);
        expect(said, `the answer to ${text}`).toHaveLength(1);
        expect(said[0]!.streaming ?? false).toBe(false);
        expect(said[0]!.text).toContain(`You said: "${text}"`);
      }
    }, 75_000);
    const calls = slack.calls.slice(firstCall);
    expect(calls.filter((call) => call.refused).map((call) => `${call.method} ${call.args.channel}`)).toEqual([]);
    expect(slack.callsDuringRetryAfter()).toEqual([]);
  }, 120_000);
});
