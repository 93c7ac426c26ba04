import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manifestScopes } from '../../adapters/slack/oauth-config.ts';
import { blockAction, FakeSlack, messageEvent, postSigned } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, TEST_DATABASE_URL } from '../helpers/postgres.ts';
import { tsCounter } from '../helpers/slack.ts';
import { installThroughBrowser, registerRedirect, startOAuthSwitchboard } from '../helpers/slack-oauth.ts';
import type { TestSwitchboard } from '../helpers/switchboard.ts';

const nextTs = tsCounter(1_760_000_000);

/** Every file under a folder, as text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, text: readFileSync(path, 'utf8') }];
  });
}

describe("Slack's OAuth install: many workspaces through the real Bolt app (HTTP mode)", () => {
  let slack: FakeSlack;
  let t: TestSwitchboard | undefined;
  beforeAll(async () => {
    slack = new FakeSlack();
    await slack.start();
  });
  afterAll(async () => slack.stop());
  beforeEach(() => {
    // Each test reads only its own calls.
    slack.calls.length = 0;
    slack.workspaces.strict = true;
    slack.workspaces.addTeam('T1', { name: 'Acme', channels: ['C1'] });
    slack.workspaces.addTeam('T2', { name: 'Globex', channels: ['C2'] });
  });
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  const mention = (team: string, channel: string, text: string, ts = nextTs()) =>
    postSigned(`${t!.url}/slack/events`, JSON.stringify(messageEvent({ team, channel, text: `<@UBOT${team}> ${text}`, ts, mention: true })));
  const lastText = (channel: string, thread: string) => slack.thread(channel, thread).at(-1)?.text ?? '';
  /** The Web API calls Switchboard made naming a channel, with the token each carried. */
  const tokensUsedIn = (channel: string) => new Set(slack.calls.filter((call) => (call.args.channel ?? call.args.channel_id) === channel).map((call) => call.token));

  it('GET /slack/install sends the browser to Slack with the client id, the manifest scopes, the redirect URL and a signed state', async () => {
    t = await startOAuthSwitchboard(slack);
    const start = await fetch(`${t.url}/slack/install`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const target = new URL(start.headers.get('location')!);
    expect(`${target.origin}${target.pathname}`).toBe(`${slack.url}/oauth/v2/authorize`);
    expect(target.searchParams.get('client_id')).toBe(slack.workspaces.app.clientId);
    expect(target.searchParams.get('scope')!.split(',')).toEqual(manifestScopes());
    expect(manifestScopes()).toContain('chat:write');
    expect(target.searchParams.get('redirect_uri')).toBe(`${t.url}/slack/oauth_redirect`);
    expect(target.searchParams.get('state')).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(start.headers.get('set-cookie')).toMatch(/^sb_slack_install=[\w-]+;.*HttpOnly/i);
  });

  it('with SLACK_REDIRECT_URI (a proxy in front), that URL goes to Slack and to the exchange, which Slack checks match', async () => {
    const publicUrl = 'https://switchboard.example.test/slack/oauth_redirect';
    t = await startOAuthSwitchboard(slack, { env: { SLACK_REDIRECT_URI: publicUrl } });
    slack.workspaces.app.redirectUrls = [publicUrl];
    const start = await fetch(`${t.url}/slack/install`, { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('redirect_uri')).toBe(publicUrl);
    expect(start.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    slack.workspaces.signedIn = { teamId: 'T1', userId: 'U1' };
    const back = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(publicUrl);
    // The proxy forwards the browser to Switchboard.
    const page = await fetch(`${t.url}/slack/oauth_redirect${back.search}`, { headers: { cookie: start.headers.get('set-cookie')!.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(slack.callsOf('oauth.v2.access').at(-1)!.args.redirect_uri).toBe(publicUrl);
  });

  for (const backend of ['files', 'postgres'] as const) {
    it.skipIf(backend === 'postgres' && !HAS_POSTGRES)(
      `on ${backend}: two workspaces installed, each answered with its own token; one uninstalled; a restart keeps the other; no token stored in clear`,
      async () => {
        const schema = backend === 'postgres' ? freshSchema() : undefined;
        try {
          t = await startOAuthSwitchboard(slack, { env: schema ? { DATABASE_URL: TEST_DATABASE_URL!, DATABASE_SCHEMA: schema } : {} });
          expect(t.sb.engine.storage.kind).toBe(backend === 'files' ? 'lowdb' : 'postgres');
          const first = await installThroughBrowser(slack, t.url, 'T1');
          expect(first.page.status).toBe(200);
          expect(first.html).toContain('Switchboard is installed in Acme');
          const second = await installThroughBrowser(slack, t.url, 'T2');
          expect(second.html).toContain('Switchboard is installed in Globex');
          const tokenT1 = slack.workspaces.tokenOf('T1')!;
          const tokenT2 = slack.workspaces.tokenOf('T2')!;
          expect(tokenT1).not.toBe(tokenT2);

          const stored = await t.sb.engine.storage.installations.list();
          expect(stored.map((each) => [each.installation_id, each.team_id, each.bot_user_id, each.bot_id, each.installer_user_id])).toEqual([
            ['slack:team:T1', 'T1', 'UBOTT1', 'BBOTT1', 'U-admin-T1'],
            ['slack:team:T2', 'T2', 'UBOTT2', 'BBOTT2', 'U-admin-T2'],
          ]);
          expect(stored[0]!.scopes).toEqual(manifestScopes());
          // At rest: sealed, never the token itself (nor anywhere else in the data folder / table).
          expect(stored.every((each) => each.bot_token_sealed.startsWith('v1:'))).toBe(true);
          if (backend === 'files') {
            const files = filesUnder(t.dataDir);
            expect(files.some((file) => file.path.endsWith('installations.json') && file.text.includes('UBOTT2'))).toBe(true);
            expect(files.filter((file) => file.text.includes(tokenT1) || file.text.includes(tokenT2)).map((file) => file.path)).toEqual([]);
          } else {
            const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
            await client.connect();
            try {
              const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${schema}.sb_installations t`);
              expect(rows).toHaveLength(2);
              expect(rows.filter((row) => row.row.includes(tokenT1) || row.row.includes(tokenT2))).toEqual([]);
            } finally {
              await client.end();
            }
          }

          const inT1 = nextTs();
          const inT2 = nextTs();
          expect((await mention('T1', 'C1', 'hello from acme', inT1)).status).toBe(200);
          expect((await mention('T2', 'C2', 'hello from globex', inT2)).status).toBe(200);
          await eventually(() => expect(lastText('C1', inT1)).toContain('You said: "hello from acme"'), 10_000);
          await eventually(() => expect(lastText('C2', inT2)).toContain('You said: "hello from globex"'), 10_000);
          await t.sb.chat.idle();
          // Each workspace only ever saw its own bot's token (the fake refuses another workspace's channel anyway).
          expect(tokensUsedIn('C1')).toEqual(new Set([tokenT1]));
          expect(tokensUsedIn('C2')).toEqual(new Set([tokenT2]));
          const conversation = await t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T2', channel: 'C2', thread: inT2 });
          const [run] = await t.sb.engine.runs.list(conversation!.thread_id);
          expect(run!.kwargs.config?.configurable).toMatchObject({ langgraph_auth_user_id: 'slack:T2:U1' });

          // T1 removes the app: Slack revokes its token and sends app_uninstalled.
          expect((await postSigned(`${t.url}/slack/events`, JSON.stringify(slack.workspaces.uninstall('T1')))).status).toBe(200);
          await eventually(async () => expect((await t!.sb.engine.storage.installations.list()).map((each) => each.team_id)).toEqual(['T2']));

          await t.restart();
          registerRedirect(slack, t);
          const afterRestart = nextTs();
          await mention('T2', 'C2', 'still here?', afterRestart);
          await eventually(() => expect(lastText('C2', afterRestart)).toContain('You said: "still here?"'), 10_000);
          // An event from the workspace that uninstalled starts nothing and calls nothing.
          const callsBefore = slack.calls.length;
          const ignored = nextTs();
          expect((await mention('T1', 'C1', 'anyone?', ignored)).status).toBe(200);
          await new Promise((resolve) => setTimeout(resolve, 500));
          await t.sb.chat.idle();
          expect(slack.thread('C1', ignored)).toEqual([]);
          expect(slack.calls.slice(callsBefore).filter((call) => call.token === tokenT1)).toEqual([]);
          expect(await t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel: 'C1', thread: ignored })).toBeNull();
        } finally {
          if (schema) {
            await t?.dispose();
            t = undefined;
            await dropSchema(schema);
          }
        }
      },
      60_000,
    );
  }

  it('tokens_revoked for the bot removes that workspace only; a reinstall brings it back', async () => {
    t = await startOAuthSwitchboard(slack);
    await installThroughBrowser(slack, t.url, 'T1');
    await installThroughBrowser(slack, t.url, 'T2');
    await postSigned(`${t.url}/slack/events`, JSON.stringify(slack.workspaces.revokeBotToken('T2')));
    await eventually(async () => expect((await t!.sb.engine.storage.installations.list()).map((each) => each.team_id)).toEqual(['T1']));
    const again = await installThroughBrowser(slack, t.url, 'T2');
    expect(again.page.status).toBe(200);
    const root = nextTs();
    await mention('T2', 'C2', 'back again', root);
    await eventually(() => expect(lastText('C2', root)).toContain('You said: "back again"'), 10_000);
    expect(tokensUsedIn('C2')).toEqual(new Set([slack.workspaces.tokenOf('T2')]));
  });

  it('refuses a forged or cross-browser state, a missing one, a denied install and a replayed code: 400 naming why, nothing stored', async () => {
    t = await startOAuthSwitchboard(slack);
    const forged = await installThroughBrowser(slack, t.url, 'T1', { state: 'eyJuIjoiYSIsImUiOjk5OTk5OTk5OTk5OTl9.forged' });
    expect(forged.page.status).toBe(400);
    expect(forged.html).toContain('oauth_state_invalid');
    const otherBrowser = await installThroughBrowser(slack, t.url, 'T1', { cookie: 'sb_slack_install=someone-else' });
    expect(otherBrowser.page.status).toBe(400);
    expect(otherBrowser.html).toContain('oauth_state_other_browser');
    const noState = await fetch(`${t.url}/slack/oauth_redirect?code=abc`);
    expect(noState.status).toBe(400);
    expect(await noState.text()).toContain('oauth_state_missing');
    const denied = await fetch(`${t.url}/slack/oauth_redirect?error=access_denied&state=x`);
    expect(denied.status).toBe(400);
    expect(await denied.text()).toContain('access_denied');
    expect(await t.sb.engine.storage.installations.list()).toEqual([]);
    // The state checked, the code is spent at Slack: the same redirect again is refused by Slack (code_already_used).
    const done = await installThroughBrowser(slack, t.url, 'T1');
    expect(done.page.status).toBe(200);
    const replay = await fetch(done.back, { headers: { cookie: done.cookie } });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('oauth_refused_code_already_used');
    expect((await t.sb.engine.storage.installations.list()).map((each) => each.team_id)).toEqual(['T1']);
  });

  it("a prompt's button click in the second workspace resumes the run there, every call with that workspace's token", async () => {
    t = await startOAuthSwitchboard(slack, { config: { chat: { assistant: 'approver' } } });
    await installThroughBrowser(slack, t.url, 'T1');
    await installThroughBrowser(slack, t.url, 'T2');
    const root = nextTs();
    await mention('T2', 'C2', 'ship the release', root);
    await eventually(() => expect(slack.thread('C2', root).some((message) => message.blocks)).toBe(true), 10_000);
    const prompt = slack.thread('C2', root).find((message) => message.blocks)!;
    const buttons = (prompt.blocks as Array<{ type: string; elements?: Array<{ action_id: string }> }>).find((block) => block.type === 'actions')!.elements!;
    const click = blockAction({ actionId: buttons[0]!.action_id, user: 'U1', userName: 'ana', channel: 'C2', messageTs: prompt.ts, threadTs: root, team: 'T2' });
    expect((await postSigned(`${t.url}/slack/events`, click, { contentType: 'application/x-www-form-urlencoded' })).status).toBe(200);
    await eventually(() => expect(lastText('C2', root)).toContain('Approved'), 10_000);
    await t.sb.chat.idle();
    expect(JSON.stringify(slack.thread('C2', root).find((message) => message.ts === prompt.ts)!.blocks)).toContain('chose *Approve*');
    expect(tokensUsedIn('C2')).toEqual(new Set([slack.workspaces.tokenOf('T2')]));
    expect(slack.callsOf('users.info').every((call) => call.token === slack.workspaces.tokenOf('T2'))).toBe(true);
  });

  it('an org-wide install (Enterprise Grid) answers every workspace of the org with the org token', async () => {
    slack.workspaces.addTeam('T3', { name: 'Initech East', enterpriseId: 'E1', channels: ['C3'] });
    slack.workspaces.addTeam('T4', { name: 'Initech West', enterpriseId: 'E1', channels: ['C4'] });
    t = await startOAuthSwitchboard(slack);
    const start = await fetch(`${t.url}/slack/install`, { redirect: 'manual' });
    slack.workspaces.signedIn = { teamId: 'T3', userId: 'U-org-admin', orgWide: true };
    const back = new URL((await fetch(new URL(start.headers.get('location')!), { redirect: 'manual' })).headers.get('location')!);
    const page = await fetch(back, { headers: { cookie: start.headers.get('set-cookie')!.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('installed in Org E1');
    expect((await t.sb.engine.storage.installations.list()).map((each) => [each.installation_id, each.team_id, each.enterprise_id, each.is_enterprise_install])).toEqual([
      ['slack:enterprise:E1', null, 'E1', true],
    ]);
    const orgToken = [...slack.workspaces.tokens].find(([, issued]) => issued.enterpriseId === 'E1')![0];
    const roots = { T3: nextTs(), T4: nextTs() };
    for (const [team, channel] of [
      ['T3', 'C3'],
      ['T4', 'C4'],
    ] as const) {
      const event = messageEvent({ team, channel, text: `<@UBOTT3> from ${team}`, ts: roots[team], mention: true, orgWide: 'E1' });
      expect((await postSigned(`${t.url}/slack/events`, JSON.stringify(event))).status).toBe(200);
    }
    await eventually(() => expect(lastText('C3', roots.T3)).toContain('You said: "from T3"'), 10_000);
    await eventually(() => expect(lastText('C4', roots.T4)).toContain('You said: "from T4"'), 10_000);
    await t.sb.chat.idle();
    expect(tokensUsedIn('C3')).toEqual(new Set([orgToken]));
    expect(tokensUsedIn('C4')).toEqual(new Set([orgToken]));
  });

  it('a wrong client secret is refused by Slack at the exchange and nothing is stored', async () => {
    t = await startOAuthSwitchboard(slack, { env: { SLACK_CLIENT_SECRET: 'not-the-secret' } });
    const attempt = await installThroughBrowser(slack, t.url, 'T1');
    expect(attempt.page.status).toBe(400);
    expect(attempt.html).toContain('oauth_refused_bad_client_secret');
    expect(await t.sb.engine.storage.installations.list()).toEqual([]);
  });
});

describe("Slack's OAuth install in Socket Mode: the install pages on Switchboard's server, events of two workspaces over one socket", () => {
  let slack: FakeSlack;
  let t: TestSwitchboard | undefined;
  beforeAll(async () => {
    slack = new FakeSlack();
    await slack.start();
    slack.workspaces.strict = true;
    slack.workspaces.addTeam('T1', { name: 'Acme', channels: ['C1'] });
    slack.workspaces.addTeam('T2', { name: 'Globex', channels: ['C2'] });
  });
  afterAll(async () => {
    await t?.dispose();
    await slack.stop();
  });

  it('answers each workspace with its own token, and an uninstall over the socket removes one', async () => {
    t = await startOAuthSwitchboard(slack, { mode: 'socket' });
    await eventually(() => expect(slack.socketConnected).toBe(true));
    expect((await installThroughBrowser(slack, t.url, 'T1')).page.status).toBe(200);
    expect((await installThroughBrowser(slack, t.url, 'T2')).page.status).toBe(200);
    const roots = { T1: nextTs(), T2: nextTs() };
    for (const [team, channel] of [
      ['T1', 'C1'],
      ['T2', 'C2'],
    ] as const) {
      await slack.sendEnvelope('events_api', messageEvent({ team, channel, text: `<@UBOT${team}> over the socket`, ts: roots[team], mention: true }));
    }
    await eventually(() => expect(slack.thread('C1', roots.T1).at(-1)?.text ?? '').toContain('You said: "over the socket"'), 10_000);
    await eventually(() => expect(slack.thread('C2', roots.T2).at(-1)?.text ?? '').toContain('You said: "over the socket"'), 10_000);
    await t.sb.chat.idle();
    const used = (channel: string) => new Set(slack.calls.filter((call) => (call.args.channel ?? call.args.channel_id) === channel).map((call) => call.token));
    expect(used('C1')).toEqual(new Set([slack.workspaces.tokenOf('T1')]));
    expect(used('C2')).toEqual(new Set([slack.workspaces.tokenOf('T2')]));
    await slack.sendEnvelope('events_api', slack.workspaces.uninstall('T2'));
    await eventually(async () => expect((await t!.sb.engine.storage.installations.list()).map((each) => each.team_id)).toEqual(['T1']));
  });
});
