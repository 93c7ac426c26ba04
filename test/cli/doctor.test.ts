import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FakeDiscord } from '../fakes/discord.ts';
import { FakeSlack } from '../fakes/slack.ts';
import { runTs } from '../helpers/child.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, TEST_DATABASE_URL } from '../helpers/postgres.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src/cli.ts');

describe('switchboard doctor', () => {
  let slack: FakeSlack;
  let discord: FakeDiscord;
  const temps: Array<{ cleanup(): void }> = [];
  beforeAll(async () => {
    slack = new FakeSlack();
    await slack.start();
  });
  afterAll(async () => slack.stop());
  afterEach(async () => {
    for (const temp of temps.splice(0)) temp.cleanup();
    await discord?.stop();
  });

  const startDiscord = async (configure: (fake: FakeDiscord) => void = () => undefined) => {
    discord = new FakeDiscord();
    configure(discord);
    await discord.start();
  };

  /** A folder with a valid config; `doctor` run there with the env given. */
  const doctor = async (env: Record<string, string>, config: Record<string, unknown> = { graphs: { chat: join(ROOT, 'src/graphs/chat.ts:graph') } }) => {
    const temp = makeTempDir();
    temps.push(temp);
    writeFileSync(join(temp.dir, 'switchboard.yaml'), stringify(config));
    const child = runTs(CLI, ['doctor'], { SWITCHBOARD_CONFIG: join(temp.dir, 'switchboard.yaml'), SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), ...env });
    const code = await child.exited;
    return { code, lines: child.lines, dir: temp.dir };
  };
  const platforms = () => ({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
    DISCORD_TOKEN: 'fake-discord-token',
    DISCORD_API_URL: discord.apiUrl,
  });

  it('all good: one ok line per check (config, data folder, Slack token and scopes, Discord token and intents), exit 0', async () => {
    await startDiscord();
    const before = slack.callsOf('auth.test').length;
    const { code, lines } = await doctor(platforms());
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ok {7}config: .*switchboard\.yaml: 1 graph\(s\), 0 assistant\(s\)$/);
    expect(lines[1]).toMatch(/^ok {7}data folder: .*data does not exist yet; the first start creates it$/);
    expect(lines[2]).toBe('ok       slack token: bot switchboard in Fake, every scope of the manifest granted');
    expect(lines[3]).toBe('ok       discord token: bot switchboard, Message Content intent enabled');
    expect(code).toBe(0);
    expect(slack.callsOf('auth.test').length).toBe(before + 1);
    expect(discord.callsTo(/^GET \/users\/@me$/)).toHaveLength(1);
    expect(discord.callsTo(/^GET \/applications\/@me$/)).toHaveLength(1);
  }, 60_000);

  it('missing Slack scopes, the Message Content intent off and an unwritable data folder: each a problem saying what to fix, exit 1', async () => {
    await startDiscord((fake) => {
      fake.messageContentApproved = false;
    });
    slack.scopes = slack.scopes.filter((scope) => scope !== 'reactions:write' && scope !== 'commands');
    try {
      const temp = makeTempDir();
      temps.push(temp);
      // A file where the data folder should be: nothing can be written in it.
      const notAFolder = join(temp.dir, 'data');
      writeFileSync(notAFolder, 'not a folder');
      const { code, lines } = await doctor({ ...platforms(), SWITCHBOARD_DATA_DIR: notAFolder });
      expect(lines[1]).toBe(`problem  data folder: ${notAFolder} is not writable (ENOTDIR) — fix: give this user write access to ${notAFolder}, or set SWITCHBOARD_DATA_DIR`);
      expect(lines[2]).toBe(
        'problem  slack token: the app lacks the scopes commands, reactions:write — fix: add them under OAuth & Permissions (or update the app from config/slack-app-manifest.yaml) and reinstall it',
      );
      expect(lines[3]).toMatch(/^problem {2}discord token: bot switchboard: the Message Content intent is not enabled .* — fix: enable "Message Content Intent" under Bot/);
      expect(code).toBe(1);
    } finally {
      slack.resetScopes();
    }
  }, 60_000);

  it('a broken config and tokens both platforms refuse: the config problems listed, each token named, exit 1', async () => {
    await startDiscord((fake) => {
      fake.refuseToken = true;
    });
    slack.failNext('auth.test', { error: 'invalid_auth' });
    const { code, lines } = await doctor(platforms(), { graphs: { chat: './missing.ts:graph' }, server: { port: -1 } });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^problem {2}config: The configuration has 2 problem\(s\): .+; .+ — fix: correct the config/);
    expect(lines[0]).toContain('(graphs.chat): graph module');
    expect(lines[0]).toContain('(server.port): Too small');
    expect(lines[1]).toBe('problem  slack token: Slack refused SLACK_BOT_TOKEN (invalid_auth) — fix: copy the Bot User OAuth Token (xoxb-) from OAuth & Permissions');
    expect(lines[2]).toBe('problem  discord token: Discord refused DISCORD_TOKEN (401 Unauthorized) — fix: copy the token from Bot in the Developer Portal (Reset Token)');
    expect(code).toBe(1);
  }, 60_000);

  it.skipIf(!HAS_POSTGRES)(
    'PostgreSQL: pending migrations are a problem until `switchboard migrate`, then ok; an unreachable server is named without its password',
    async () => {
      const schema = freshSchema();
      try {
        const env = { DATABASE_URL: TEST_DATABASE_URL!, DATABASE_SCHEMA: schema };
        const pending = await doctor(env);
        expect(pending.lines[1]).toMatch(new RegExp(`^problem {2}database: .* answers; schema "${schema}" has migrations 1, .* pending — fix: run \`switchboard migrate\``));
        expect(pending.code).toBe(1);
        expect(await runTs(CLI, ['migrate'], env).exited).toBe(0);
        const migrated = await doctor(env);
        expect(migrated.lines[1]).toMatch(new RegExp(`^ok {7}database: .* answers; schema "${schema}" is up to date`));
        expect(migrated.code).toBe(0);
        const down = await doctor({ DATABASE_URL: 'postgres://sb:hunter2@127.0.0.1:1/none' });
        expect(down.lines[1]).toMatch(/^problem {2}database: cannot reach PostgreSQL at postgres:\/\/sb:\*\*\*@127\.0\.0\.1:1\/none/);
        expect(down.lines.join('\n')).not.toContain('hunter2');
        expect(down.code).toBe(1);
      } finally {
        await dropSchema(schema);
      }
    },
    90_000,
  );
});
