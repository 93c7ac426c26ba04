import { runTs } from '../test/helpers/child.ts';
import { FakeSlack, messageEvent, postSigned, type SlackCall } from '../test/fakes/slack.ts';
import { fmt, median, percentile, printTable } from './stats.ts';

const SLACK_ACK_DEADLINE_MS = 3000;
let ts = 1_780_000_000;
const nextTs = () => `${++ts}.000100`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isReplyIn = (channel: string, root: string) => (call: SlackCall) =>
  (call.method === 'chat.postMessage' || call.method === 'chat.startStream') && call.args.channel === channel && call.args.thread_ts === root;

/**
 * Slack, end to end over HTTP: a signed `app_mention` event posted to the app, to the first
 * reply call (chat.postMessage or chat.startStream) at the fake Slack API, with the offline
 * model. The baseline is the smallest Bolt app that answers a mention, in the same kind of
 * process against the same fake. Then the ack time while 20 conversations are answering.
 */
export async function benchSlack(): Promise<void> {
  const slack = new FakeSlack();
  await slack.start();
  try {
    const bolt = await measure(slack, 'bolt');
    const sb = await measure(slack, 'switchboard');
    printTable('Slack over HTTP: signed event to the first reply call (app in its own process, fake Slack API)', [
      ['baseline: bare Bolt app, event -> chat.postMessage', `${fmt(median(bolt.firstReply))} ms median, p99 ${fmt(percentile(bolt.firstReply, 99))} ms`],
      [
        'Switchboard, new conversation -> first reply call',
        `${fmt(median(sb.firstReply))} ms median, p99 ${fmt(percentile(sb.firstReply, 99))} ms (${(median(sb.firstReply) / median(bolt.firstReply)).toFixed(2)}x the baseline)`,
      ],
      ['ack, bare Bolt app', `${fmt(median(bolt.ack))} ms median`],
      ['ack, Switchboard idle', `${fmt(median(sb.ack))} ms median (${(median(sb.ack) / median(bolt.ack)).toFixed(2)}x the baseline)`],
      [
        'ack, Switchboard while 20 conversations answer',
        `${fmt(median(sb.loadedAck))} ms median, p99 ${fmt(percentile(sb.loadedAck, 99))} ms, max ${fmt(Math.max(...sb.loadedAck))} ms (${((Math.max(...sb.loadedAck) / SLACK_ACK_DEADLINE_MS) * 100).toFixed(1)}% of Slack's 3 s)`,
      ],
      ['first reply call, while 20 conversations answer', `${fmt(median(sb.loadedFirstReply))} ms median (${sb.stillBusy} of 20 still answering at the end)`],
    ]);
  } finally {
    await slack.stop();
  }
}

interface Measured {
  firstReply: number[];
  ack: number[];
  loadedAck: number[];
  loadedFirstReply: number[];
  stillBusy: number;
}

async function measure(slack: FakeSlack, kind: 'bolt' | 'switchboard'): Promise<Measured> {
  const child = runTs(new URL('./slack-server.ts', import.meta.url).pathname, [kind, slack.apiUrl]);
  const url = (await child.waitFor(/^listening /, 30_000)).split(' ')[1]!;
  const out: Measured = { firstReply: [], ack: [], loadedAck: [], loadedFirstReply: [], stillBusy: 0 };
  try {
    const mention = async (channel: string) => {
      const root = nextTs();
      const reply = slack.nextCall(isReplyIn(channel, root));
      const start = performance.now();
      const response = await postSigned(url, JSON.stringify(messageEvent({ channel, text: '<@UBOT> hello there', ts: root, mention: true })));
      const ack = performance.now() - start;
      if (response.status !== 200) throw new Error(`the app answered ${response.status}`);
      return { root, ack, reply: reply.then((call) => call.hr - start) };
    };
    // Lets a reply finish streaming, so the next sample starts on a quiet app.
    const settled = async (channel: string, root: string) => {
      for (let i = 0; i < 500 && slack.thread(channel, root).some((message) => message.streaming); i += 1) await sleep(2);
    };

    for (let i = 0; i < 230; i += 1) {
      const sent = await mention('CFAST');
      const first = await sent.reply;
      await settled('CFAST', sent.root);
      if (i < 30) continue; // warm-up
      out.ack.push(sent.ack);
      out.firstReply.push(first);
    }
    if (kind === 'bolt') return out;

    // 20 conversations on the slow assistant, each answering for several seconds.
    const busy = await Promise.all(Array.from({ length: 20 }, () => mention('CBUSY')));
    await Promise.all(busy.map((sent) => sent.reply));
    for (let i = 0; i < 100; i += 1) {
      const sent = await mention('CFAST');
      out.loadedAck.push(sent.ack);
      out.loadedFirstReply.push(await sent.reply);
    }
    out.stillBusy = busy.filter((sent) => slack.thread('CBUSY', sent.root).some((message) => message.streaming)).length;
    return out;
  } finally {
    child.process.kill('SIGTERM');
    await child.exited;
  }
}
