import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.ts';
import { FakeSlack, messageEvent, postSigned, SIGNING_SECRET } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { WRITERS } from '../helpers/discord.ts';
import { freePort } from '../helpers/free-port.ts';
import { captureLogger } from '../helpers/log.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

/** Retries fast enough for a test: 100 ms, doubling, at most 800 ms. */
const RETRY = { platforms: { retry: { initial_seconds: 0.1, max_seconds: 0.8 } } };

describe('a platform that cannot be reached at start', () => {
  let t: TestSwitchboard | undefined;
  const fakes: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
    for (const fake of fakes.splice(0)) await fake.stop();
  });

  /** The API, the playground and /ok while the platform is down: the first two answer, /ok is a 503 naming it. */
  const expectRunningWithout = async (url: string, platform: string) => {
    const ok = await fetch(`${url}/ok`);
    expect(ok.status).toBe(503);
    const report = (await ok.json()) as { ok: boolean; platforms: Record<string, { healthy: boolean; state: string; attempts: number }> };
    expect(report.ok).toBe(false);
    expect(report.platforms[platform]).toMatchObject({ healthy: false, state: 'unreachable' });
    expect(report.platforms.web).toEqual({ browsers: 0 });
    const thread = (await (await fetch(`${url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { thread_id: string };
    const run = await fetch(`${url}/threads/${thread.thread_id}/runs/wait`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: 'chat', input: { messages: [{ role: 'user', content: 'still here?' }] } }),
    });
    expect(run.status).toBe(200);
    expect(JSON.stringify(await run.json())).toContain('You said');
    expect((await fetch(`${url}/`)).headers.get('content-type')).toContain('text/html');
  };

  /** The waits announced by the retry lines grow (doubling) up to the cap. */
  const expectGrowingBackoff = async (lines: Array<{ msg: string; retry_in_ms?: number; platform?: string }>, platform: string) => {
    const retries = () => lines.filter((line) => line.platform === platform && line.retry_in_ms !== undefined);
    await eventually(() => expect(retries().length).toBeGreaterThanOrEqual(5), 10_000);
    const waits = retries()
      .slice(0, 5)
      .map((line) => line.retry_in_ms);
    expect(waits).toEqual([100, 200, 400, 800, 800]);
    expect(retries()[0]!.msg).toMatch(new RegExp(`^${platform} unreachable \\(attempt 1: .+\\); trying again in 0\\.1 s$`));
  };

  it('Slack: the API and the playground answer while /ok is a 503 naming Slack, the retries back off, and Slack comes up healthy', async () => {
    const port = await freePort();
    const { log, lines } = captureLogger();
    t = await startTestSwitchboard({
      env: { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `http://127.0.0.1:${port}/api/` },
      config: RETRY,
      log,
    });
    await expectRunningWithout(t.url, 'slack');
    await expectGrowingBackoff(lines as never, 'slack');

    const slack = new FakeSlack();
    await slack.start(port);
    fakes.push(slack);
    await eventually(async () => expect((await fetch(`${t!.url}/ok`)).status).toBe(200), 10_000);
    const report = (await (await fetch(`${t.url}/ok`)).json()) as { platforms: Record<string, unknown> };
    expect(report.platforms.slack).toEqual({ mode: 'http', bot_user_id: 'UBOT' });
    // Connected means working: a mention is answered.
    await postSigned(`${t.url}/slack/events`, JSON.stringify(messageEvent({ text: '<@UBOT> hello after the outage', ts: '1770000000.000100', mention: true })));
    await eventually(() => expect(slack.thread('C1', '1770000000.000100').at(-1)?.text ?? '').toContain('You said'), 10_000);
  }, 40_000);

  it('Discord: the rest runs while REST and the gateway are down, and the bot connects when Discord comes back', async () => {
    const port = await freePort();
    const { log, lines } = captureLogger();
    const discord = new FakeDiscord();
    t = await startTestSwitchboard({
      env: { DISCORD_TOKEN: 'fake-discord-token', DISCORD_API_URL: `http://127.0.0.1:${port}/api`, DISCORD_GUILD_ID: discord.guildId },
      config: RETRY,
      log,
    });
    await expectRunningWithout(t.url, 'discord');
    await expectGrowingBackoff(lines as never, 'discord');

    await discord.start(port);
    fakes.push(discord);
    await eventually(() => expect(discord.connected).toBe(true), 10_000);
    await eventually(async () => expect((await fetch(`${t!.url}/ok`)).status).toBe(200), 10_000);
    discord.userMessage({ channel: WRITERS, user: 'ana', content: 'hello after the outage', mention: true });
    await eventually(() => expect(discord.botMessages(WRITERS).at(-1)?.content ?? '').toContain('You said'), 10_000);
  }, 40_000);
});
