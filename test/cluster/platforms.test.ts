import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.ts';
import { FakeSlack, messageEvent, postSigned, SIGNING_SECRET } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { GENERAL } from '../helpers/discord.ts';
import { HAS_POSTGRES } from '../helpers/postgres.ts';

interface Health {
  platforms: { discord?: { gateway: string } };
}

/** Chat platforms when several processes share one PostgreSQL database. */
describe.skipIf(!HAS_POSTGRES)('platforms on several processes', () => {
  let cluster: TestCluster | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await cluster?.dispose();
    cluster = undefined;
    for (const cleanup of cleanups.splice(0)) await cleanup();
  }, 60_000);

  const gatewayOf = async (url: string) => ((await (await fetch(`${url}/ok`)).json()) as Health).platforms.discord?.gateway;

  it('the Discord gateway is held by exactly one process, and moves when that process dies', async () => {
    const discord = new FakeDiscord();
    await discord.start();
    cleanups.push(() => discord.stop());
    cluster = await startTestCluster(2, { DISCORD_TOKEN: 'fake-discord-token', DISCORD_API_URL: discord.apiUrl, DISCORD_GUILD_ID: discord.guildId });
    await eventually(() => expect(discord.connected).toBe(true), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(discord.identifies).toBe(1);
    const states = await Promise.all(cluster.processes.map((member) => gatewayOf(member.url)));
    expect(states.sort()).toEqual(['ready', 'standby']);
    const leader = cluster.processes[(await Promise.all(cluster.processes.map((member) => gatewayOf(member.url)))).indexOf('ready')]!;
    const other = cluster.processes.find((member) => member !== leader)!;

    /** ana mentions the bot in #general; whichever process holds the gateway answers. */
    const askAndHear = async (content: string) => {
      discord.userMessage({ channel: GENERAL, user: 'ana', content, mention: true });
      await eventually(
        () =>
          expect(
            discord
              .botMessages(GENERAL)
              .map((message) => message.content)
              .join(' '),
          ).toContain(`You said: "${content}"`),
        15_000,
      );
    };
    await askAndHear('before the hand-over');

    await leader.kill();
    await eventually(() => expect(discord.identifies).toBe(2), 20_000);
    await eventually(async () => expect(await gatewayOf(other.url)).toBe('ready'), 10_000);
    // The answer goes out on the same channel's rate buckets the dead leader may have left a call in flight on.
    await askAndHear('after the hand-over');
  }, 90_000);

  it('a Slack event delivered to two processes starts one run', async () => {
    const slack = new FakeSlack();
    await slack.start();
    cleanups.push(() => slack.stop());
    cluster = await startTestCluster(2, { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl });
    const root = '1790000001.000100';
    const event = JSON.stringify(messageEvent({ text: '<@UBOT> only once', ts: root, mention: true, eventId: 'EvTwice' }));
    const answers = await Promise.all(cluster.processes.map((member) => postSigned(`${member.url}/slack/events`, event)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await eventually(() => expect(slack.thread('C1', root).at(-1)?.text ?? '').toContain('You said: "only once"'), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(slack.thread('C1', root)).toHaveLength(1);
    const runs = await cluster.sql<{ n: number }>('SELECT count(*)::int AS n FROM sb_runs');
    expect(runs[0]!.n).toBe(1);
  }, 60_000);

  it('a reply a dead process could not deliver is delivered by another one', async () => {
    const slack = new FakeSlack();
    await slack.start();
    cleanups.push(() => slack.stop());
    for (const method of ['chat.postMessage', 'chat.startStream']) slack.failNext(method, ...Array.from({ length: 1000 }, () => ({ status: 500 as const })));
    cluster = await startTestCluster(2, { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl });
    const [first, second] = cluster.processes;
    const root = '1790000002.000100';
    await postSigned(`${first!.url}/slack/events`, JSON.stringify(messageEvent({ text: '<@UBOT> deliver me', ts: root, mention: true })));
    // The reply exists and waits in the first process's outbox (Slack keeps failing).
    await eventually(async () => {
      const waiting = await cluster!.sql<{ owner: string }>(`SELECT value->>'owner' AS owner FROM sb_chat WHERE collection = 'outbox'`);
      expect(waiting.some((row) => row.owner === first!.processId)).toBe(true);
    }, 15_000);
    await first!.kill();
    slack.resetFailures('chat.postMessage');
    slack.resetFailures('chat.startStream');
    await eventually(() => expect(slack.thread('C1', root).at(-1)?.text ?? '').toContain('You said: "deliver me"'), 30_000);
    const left = await cluster.sql<{ owner: string }>(`SELECT value->>'owner' AS owner FROM sb_chat WHERE collection IN ('outbox', 'replies')`);
    expect(left.every((row) => row.owner !== first!.processId)).toBe(true);
    expect(second!.child.process.exitCode).toBeNull();
  }, 90_000);
});
