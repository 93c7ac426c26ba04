import { WebClient } from '@slack/web-api';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Logger } from 'pino';
import type { InstalledWorkspace, SlackInstallations } from './installations.ts';
import type { SlackOAuthConfig } from './oauth-config.ts';
import { InstallState } from './oauth-state.ts';

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';
/** The browser's half of the state (see InstallState). */
const NONCE_COOKIE = 'sb_slack_install';

/** Why an install did not finish: a stable code, the HTTP status, and what the page tells the person. */
export class InstallFailure extends Error {
  readonly code: string;
  readonly status: 400 | 502;

  constructor(code: string, message: string, options: { status?: 400 | 502; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InstallFailure';
    this.code = code;
    this.status = options.status ?? 400;
  }
}

const STATE_MESSAGES: Record<string, string> = {
  oauth_state_missing: 'The link came back without its state. Start again from the install link.',
  oauth_state_invalid: 'The link was not issued by this server (its state does not verify). Start again from the install link.',
  oauth_state_expired: 'The install link expired (it is good for 10 minutes). Start again from the install link.',
  oauth_state_other_browser: 'The install was started in another browser (or its cookie was blocked). Start again from the install link in this browser.',
};

interface OAuthAccess {
  ok?: boolean;
  access_token?: string;
  token_type?: string;
  scope?: string;
  bot_user_id?: string;
  app_id?: string;
  team?: { id?: string; name?: string } | null;
  enterprise?: { id?: string; name?: string } | null;
  is_enterprise_install?: boolean;
  authed_user?: { id?: string };
}

/**
 * Slack's OAuth v2 install on Switchboard's own server, for HTTP mode and Socket Mode alike:
 * GET /slack/install sends the browser to Slack's authorize page with the manifest's scopes
 * and a signed, expiring state; GET /slack/oauth_redirect checks that state, exchanges the
 * code with `oauth.v2.access`, asks `auth.test` who the new bot is, stores the installation
 * (its token sealed) and shows a page saying where the app now is.
 */
export function slackOAuthRoutes(options: {
  config: SlackOAuthConfig;
  installations: SlackInstallations;
  clientOptions: ConstructorParameters<typeof WebClient>[1];
  log: Logger;
  now?: () => number;
}): Hono {
  const { config, installations, log } = options;
  const state = new InstallState({ secret: config.stateSecret, ttlMs: config.stateTtlMs, ...(options.now ? { now: options.now } : {}) });
  const redirectUriOf = (c: Context) => config.redirectUri ?? new URL(REDIRECT_PATH, c.req.url).toString();

  const exchange = async (code: string, redirectUri: string): Promise<InstalledWorkspace & { teamName: string | null; appId: string | null }> => {
    const anonymous = new WebClient(undefined, options.clientOptions);
    let access: OAuthAccess;
    try {
      access = (await anonymous.oauth.v2.access({ client_id: config.clientId, client_secret: config.clientSecret, code, redirect_uri: redirectUri })) as OAuthAccess;
    } catch (error) {
      throw slackFailure(error, 'oauth.v2.access');
    }
    if (access.token_type !== 'bot' || !access.access_token || !access.bot_user_id) {
      throw new InstallFailure('oauth_no_bot_token', 'Slack granted no bot token: the app must ask for bot scopes (see config/slack-app-manifest.yaml).');
    }
    const isEnterpriseInstall = access.is_enterprise_install === true;
    const teamId = access.team?.id ?? null;
    const enterpriseId = access.enterprise?.id ?? null;
    if (!teamId && !(isEnterpriseInstall && enterpriseId)) throw new InstallFailure('oauth_no_team', 'Slack did not say which workspace the app was installed in.');
    // oauth.v2.access does not name the bot id (what the bot's own messages carry): auth.test with the new token does.
    let identity: { bot_id?: string; user_id?: string };
    try {
      identity = (await new WebClient(access.access_token, options.clientOptions).auth.test()) as { bot_id?: string; user_id?: string };
    } catch (error) {
      throw slackFailure(error, 'auth.test');
    }
    const saved = await installations.save({
      teamId,
      teamName: access.team?.name ?? access.enterprise?.name ?? null,
      enterpriseId,
      isEnterpriseInstall,
      appId: access.app_id ?? null,
      botToken: access.access_token,
      botUserId: access.bot_user_id,
      botId: identity.bot_id ?? '',
      scopes: (access.scope ?? '').split(',').filter(Boolean),
      installerUserId: access.authed_user?.id ?? null,
    });
    return { ...saved, teamName: access.team?.name ?? access.enterprise?.name ?? null, appId: access.app_id ?? null };
  };

  return new Hono()
    .get(INSTALL_PATH, (c) => {
      const { state: signed, nonce } = state.issue();
      const secure = new URL(c.req.url).protocol === 'https:' || (config.redirectUri?.startsWith('https:') ?? false);
      // Lax: the cookie comes back on Slack's top-level redirect to us, and on nothing cross-site else.
      setCookie(c, NONCE_COOKIE, nonce, { httpOnly: true, sameSite: 'Lax', secure, path: '/slack', maxAge: Math.floor(config.stateTtlMs / 1000) });
      const target = new URL(config.authorizeUrl);
      target.searchParams.set('client_id', config.clientId);
      target.searchParams.set('scope', config.scopes.join(','));
      target.searchParams.set('redirect_uri', redirectUriOf(c));
      target.searchParams.set('state', signed);
      return c.redirect(target.toString(), 302);
    })
    .get(REDIRECT_PATH, async (c) => {
      try {
        // The person pressed Cancel on Slack's page (or Slack refused): nothing to exchange.
        const denied = c.req.query('error');
        if (denied) throw new InstallFailure('oauth_denied', `Slack did not grant the install (${denied}). Nothing was installed.`);
        const refusal = state.check(c.req.query('state'), getCookie(c, NONCE_COOKIE));
        if (refusal) throw new InstallFailure(refusal, STATE_MESSAGES[refusal] ?? refusal);
        const code = c.req.query('code');
        if (!code) throw new InstallFailure('oauth_code_missing', 'Slack sent no code to exchange. Start again from the install link.');
        const installed = await exchange(code, redirectUriOf(c));
        deleteCookie(c, NONCE_COOKIE, { path: '/slack' });
        log.info({ installation: installed.installationId, team: installed.teamId, enterprise: installed.enterpriseId, scopes: installed.scopes }, 'Slack app installed');
        return c.html(successPage(installed), 200);
      } catch (error) {
        const failure =
          error instanceof InstallFailure ? error : new InstallFailure('oauth_failed', 'The install could not be stored; nothing was installed.', { status: 502, cause: error });
        log.warn({ code: failure.code, err: failure.cause ?? undefined }, `Slack install refused: ${failure.message}`);
        return c.html(failurePage(failure), failure.status);
      }
    });
}

/** A Web API failure during the install: Slack's own refusal (invalid_code, bad_redirect_uri…) or Slack unreachable. */
function slackFailure(error: unknown, method: string): InstallFailure {
  const failure = error as { code?: string; data?: { error?: string }; message?: string };
  if (failure.code === 'slack_webapi_platform_error') {
    const reason = failure.data?.error ?? 'unknown_error';
    return new InstallFailure(`oauth_refused_${reason}`, `Slack refused the install at ${method} (${reason}). Start again from the install link.`, { cause: error });
  }
  return new InstallFailure('oauth_unreachable', `Slack could not be reached to finish the install (${failure.message ?? String(error)}). Try again.`, {
    status: 502,
    cause: error,
  });
}

function successPage(installed: { teamId: string | null; teamName: string | null; appId: string | null; enterpriseId: string | null }): string {
  const where = installed.teamName ?? installed.teamId ?? installed.enterpriseId ?? 'your workspace';
  const open =
    installed.appId && installed.teamId
      ? `https://slack.com/app_redirect?app=${encodeURIComponent(installed.appId)}&team=${encodeURIComponent(installed.teamId)}`
      : 'https://slack.com/';
  return page(
    'Switchboard is installed',
    `<h1>Switchboard is installed in ${escapeHtml(where)}</h1><p>Mention the bot in a channel, or send it a direct message.</p><p><a href="${escapeHtml(open)}">Open Slack</a></p>`,
  );
}

function failurePage(failure: InstallFailure): string {
  return page('Switchboard was not installed', `<h1>Switchboard was not installed</h1><p>${escapeHtml(failure.message)}</p><p><code>${escapeHtml(failure.code)}</code></p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><meta name="viewport" content="width=device-width"></head><body style="font-family:system-ui,sans-serif;max-width:40em;margin:4em auto">${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
