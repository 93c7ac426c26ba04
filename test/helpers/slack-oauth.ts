import { expect } from 'vitest';
import type { FakeSlack } from '../fakes/slack.ts';
import { SIGNING_SECRET } from '../fakes/slack.ts';
import { startTestSwitchboard, type TestSwitchboard } from './switchboard.ts';

/** 32 random bytes in base64: what `openssl rand -base64 32` prints. */
export const SECRET_KEY = 'q83vEjRWeJC6OT7R1Re5dTk6CvT0WeXoyR8dkTqSKHo=';
export const STATE_SECRET = 'state-secret-for-tests-0123456789';

/** The environment of the OAuth install against the fake Slack (no SLACK_BOT_TOKEN: many workspaces). */
export function oauthEnv(slack: FakeSlack, mode: 'http' | 'socket' = 'http'): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: '',
    SLACK_CLIENT_ID: slack.workspaces.app.clientId,
    SLACK_CLIENT_SECRET: slack.workspaces.app.clientSecret,
    SLACK_STATE_SECRET: STATE_SECRET,
    SWITCHBOARD_SECRET_KEY: SECRET_KEY,
    SLACK_API_URL: slack.apiUrl,
    SLACK_AUTHORIZE_URL: `${slack.url}/oauth/v2/authorize`,
    ...(mode === 'socket' ? { SLACK_APP_TOKEN: 'xapp-test' } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
  };
}

/** Starts Switchboard in OAuth mode and registers its redirect URL with the fake Slack app (as an admin does in the app's settings). */
export async function startOAuthSwitchboard(slack: FakeSlack, options: { mode?: 'http' | 'socket'; env?: Record<string, string>; config?: Record<string, unknown> } = {}) {
  const t = await startTestSwitchboard({ env: { ...oauthEnv(slack, options.mode), ...options.env }, config: options.config ?? {} });
  registerRedirect(slack, t);
  return t;
}

export function registerRedirect(slack: FakeSlack, t: TestSwitchboard): void {
  slack.workspaces.app.redirectUrls = [`${t.url}/slack/oauth_redirect`];
}

export interface InstallSteps {
  /** Switchboard's 302 to Slack's authorize page. */
  authorize: URL;
  /** The browser's cookie from /slack/install. */
  cookie: string;
  /** Slack's 302 back to Switchboard, with the code and the state. */
  back: URL;
  /** Switchboard's answer to the redirect. */
  page: Response;
  html: string;
}

/**
 * What a browser does to install the app: opens /slack/install, follows the redirect to
 * Slack's authorize page (where an admin of `teamId` presses Allow), and follows Slack's
 * redirect back to /slack/oauth_redirect with the cookie it was given.
 */
export async function installThroughBrowser(slack: FakeSlack, baseUrl: string, teamId: string, tamper: { cookie?: string; state?: string } = {}): Promise<InstallSteps> {
  const start = await fetch(`${baseUrl}/slack/install`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
  slack.workspaces.signedIn = { teamId, userId: `U-admin-${teamId}` };
  const approved = await fetch(authorize, { redirect: 'manual' });
  expect(approved.status).toBe(302);
  const back = new URL(approved.headers.get('location')!);
  if (tamper.state !== undefined) back.searchParams.set('state', tamper.state);
  const page = await fetch(back, { redirect: 'manual', headers: { cookie: tamper.cookie ?? cookie } });
  return { authorize, cookie, back, page, html: await page.text() };
}
