import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack, messageEvent } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { HAS_POSTGRES } from '../helpers/postgres.ts';

interface Health {
  platforms: { slack?: { mode: string; healthy?: boolean } };
}

/**
 * Slack in Socket Mode with several processes on one PostgreSQL database (README, "Chat"):
 * every process opens a connection of its own, Slack may hand an event (or its retry, or the
 * same post as `app_mention` and `message`) to any of them, and it starts one run.
 */
describe.skipIf(!HAS_POSTGRES)('Slack Socket Mode on several processes', () => {
  let slack: FakeSlack;
  let cluster: TestCluster;
  beforeAll(async () => {
    slack = new FakeSlack();
    await slack.start();
    cluster = await startTestCluster(2, { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: slack.apiUrl });
    await eventually(() => expect(slack.socketCount).toBe(2), 20_000);
  }, 90_000);
  afterAll(async () => {
    await cluster?.dispose();
    await slack?.stop();
  }, 60_000);

  const answer = (root: string) => slack.thread('C1', root).at(-1)?.text ?? '';
  const runsOf = async (text: string) => (await cluster.sql<{ n: number }>(`SELECT count(*)::int AS n FROM sb_runs WHERE doc::text LIKE $1`, [`%${text}%`]))[0]!.n;
  /** Long enough for a second run (and its reply) to have shown up if dedupe had let one through. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

  it('each process opens its own connection with the app token and reports Socket Mode in GET /ok', async () => {
    // One open connection per process (a reconnect under load may have asked for another URL, never kept two).
    expect(slack.socketCount).toBe(2);
    expect(slack.callsOf('apps.connections.open').length).toBeGreaterThanOrEqual(2);
    for (const member of cluster.processes) {
      const health = (await (await fetch(`${member.url}/ok`)).json()) as Health;
      expect(health.platforms.slack?.mode).toBe('socket');
    }
  });

  it('an event given to either connection is answered in its thread', async () => {
    for (const index of [0, 1]) {
      const root = `179100000${index}.000100`;
      await slack.sendEnvelopeOn(index, 'events_api', messageEvent({ text: `<@UBOT> via connection ${index}`, ts: root, mention: true }));
      await eventually(() => expect(answer(root)).toContain(`You said: "via connection ${index}"`), 20_000);
    }
  }, 60_000);

  it('an event Slack delivers again on the other connection (a retry) starts no second run and no second reply', async () => {
    const root = '1791000010.000100';
    const event = messageEvent({ text: '<@UBOT> retried on the other socket', ts: root, mention: true, eventId: 'EvSocketRetry' });
    await slack.sendEnvelopeOn(0, 'events_api', event);
    await eventually(() => expect(answer(root)).toContain('You said: "retried on the other socket"'), 20_000);
    // Slack did not see the first ack in time and delivers the event again, on the other process's connection.
    await slack.sendEnvelopeOn(1, 'events_api', event, 1);
    await settle();
    expect(slack.thread('C1', root)).toHaveLength(1);
    expect(await runsOf('retried on the other socket')).toBe(1);
  }, 60_000);

  it('one post arriving as app_mention on one connection and as message on the other starts one run', async () => {
    const root = '1791000020.000100';
    const text = '<@UBOT> mention and message on two sockets';
    await Promise.all([
      slack.sendEnvelopeOn(1, 'events_api', messageEvent({ text, ts: root, mention: true })),
      slack.sendEnvelopeOn(0, 'events_api', messageEvent({ text, ts: root })),
    ]);
    await eventually(() => expect(answer(root)).toContain('You said: "mention and message on two sockets"'), 20_000);
    await settle();
    expect(slack.thread('C1', root)).toHaveLength(1);
    expect(await runsOf('mention and message on two sockets')).toBe(1);
  }, 60_000);
});
