import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNING_SECRET } from '../fakes/slack.ts';
import { type Child, runTs } from '../helpers/child.ts';
import { SECRET_KEY, STATE_SECRET } from '../helpers/slack-oauth.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const CLI = resolve(import.meta.dirname, '../../src/cli.ts');
const OAUTH = { SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: STATE_SECRET, SLACK_SIGNING_SECRET: SIGNING_SECRET };

describe("Slack's OAuth install refuses to start half set up, in one line naming what to fix", () => {
  const children: Child[] = [];
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  const start = async (env: Record<string, string>) => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const child = runTs(CLI, ['start'], { PORT: '0', SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', SLACK_BOT_TOKEN: '', ...env });
    children.push(child);
    let stderr = '';
    child.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const code = await child.exited;
    return { code, lines: stderr.trim().split('\n'), printedRunning: child.lines.some((line) => line.includes('Switchboard is running')) };
  };

  it('without SWITCHBOARD_SECRET_KEY (tokens would be stored in clear), with a key that is not 32 random bytes, with half the variables, or with SLACK_BOT_TOKEN too', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [OAUTH, "switchboard: Slack's OAuth install needs SWITCHBOARD_SECRET_KEY to encrypt workspace tokens: generate one with `openssl rand -base64 32`"],
      [
        { ...OAUTH, SWITCHBOARD_SECRET_KEY: 'hunter2' },
        'switchboard: SWITCHBOARD_SECRET_KEY must be 32 random bytes in base64 or hex: generate one with `openssl rand -base64 32`',
      ],
      [
        { SLACK_CLIENT_ID: '1111.2222', SLACK_SIGNING_SECRET: SIGNING_SECRET, SWITCHBOARD_SECRET_KEY: SECRET_KEY },
        "switchboard: Slack's OAuth install needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET; SLACK_CLIENT_SECRET and SLACK_STATE_SECRET not set",
      ],
      [
        { ...OAUTH, SWITCHBOARD_SECRET_KEY: SECRET_KEY, SLACK_BOT_TOKEN: 'xoxb-one' },
        'switchboard: set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (many workspaces, OAuth install), not both',
      ],
    ];
    for (const [env, line] of cases) {
      const { code, lines, printedRunning } = await start(env);
      expect({ code, lines, printedRunning }).toEqual({ code: 1, lines: [line], printedRunning: false });
    }
  }, 120_000);
});
