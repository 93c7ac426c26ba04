import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.ts';
import { FakeSlack, SIGNING_SECRET } from '../fakes/slack.ts';
import { runTs, type Child } from '../helpers/child.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const CLI = resolve(import.meta.dirname, '../../src/cli.ts');

describe('a token the platform refuses stops the start in one line naming the token', () => {
  const children: Child[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const start = async (env: Record<string, string>) => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const child = runTs(CLI, ['start'], { PORT: '0', SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', ...env });
    children.push(child);
    let stderr = '';
    child.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const code = await child.exited;
    return { code, stderr: stderr.trim(), printedRunning: child.lines.some((line) => line.includes('Switchboard is running')) };
  };

  it('Slack answering invalid_auth to auth.test: exit 1, one line naming SLACK_BOT_TOKEN', async () => {
    const slack = new FakeSlack();
    await slack.start();
    cleanups.push(() => slack.stop());
    slack.failNext('auth.test', { error: 'invalid_auth' });
    const { code, stderr, printedRunning } = await start({ SLACK_BOT_TOKEN: 'xoxb-revoked', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl });
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual(['switchboard: Slack refused SLACK_BOT_TOKEN (invalid_auth): set a valid token for this app']);
    expect(printedRunning).toBe(false);
  }, 30_000);

  it('Discord answering 401: exit 1, one line naming DISCORD_TOKEN', async () => {
    const discord = new FakeDiscord();
    discord.refuseToken = true;
    await discord.start();
    cleanups.push(() => discord.stop());
    const { code, stderr, printedRunning } = await start({ DISCORD_TOKEN: 'reset-token', DISCORD_API_URL: discord.apiUrl, DISCORD_GUILD_ID: discord.guildId });
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual(['switchboard: Discord refused DISCORD_TOKEN (401 Unauthorized): set the bot token of your application']);
    expect(printedRunning).toBe(false);
  }, 30_000);
});
