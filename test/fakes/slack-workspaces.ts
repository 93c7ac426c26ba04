import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Slack workspace of the fake: its bot user (one per workspace, as on Slack) and its channels. */
export interface FakeTeam {
  id: string;
  name: string;
  enterpriseId: string | null;
  botUserId: string;
  botId: string;
  channels: Set<string>;
}

interface IssuedToken {
  teamId: string;
  /** An org-wide install's token: good in every workspace of this Enterprise Grid org. */
  enterpriseId?: string | undefined;
  scopes: string[];
  revoked: boolean;
}

interface PendingCode {
  teamId: string;
  userId: string;
  orgWide?: boolean | undefined;
  clientId: string;
  /** The redirect_uri the authorize request named (the exchange must name the same). */
  redirectUri: string | undefined;
  scopes: string[];
  expires: number;
  used: boolean;
}

/** How long an authorization code is good for on Slack: ten minutes. */
const CODE_TTL_MS = 10 * 60 * 1000;

/**
 * The many-workspaces side of the fake Slack: the app's OAuth credentials and registered
 * redirect URLs, Slack's authorize page (an admin of a chosen workspace approves), a strict
 * `oauth.v2.access` (a code works once, within ten minutes, for the client it was issued to,
 * with the same redirect_uri; the client secret is checked), one bot token per workspace,
 * `auth.test` per token, and, once `strict`, every call checked: an unknown or revoked token
 * is refused, and a channel of another workspace is not found, as Slack does.
 */
export class FakeSlackWorkspaces {
  readonly app = { clientId: '1111.2222', clientSecret: 'fake-client-secret-abc', appId: 'A1', redirectUrls: [] as string[] };
  readonly teams = new Map<string, FakeTeam>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly #codes = new Map<string, PendingCode>();
  /** Who is signed in to Slack in the browser that opens the authorize page. */
  signedIn: { teamId: string; userId: string; orgWide?: boolean } | undefined;
  /** From now on, every call must carry a token issued here and name channels of its own workspace. */
  strict = false;
  #counter = 0;

  addTeam(id: string, options: { name?: string; enterpriseId?: string; channels?: string[] } = {}): FakeTeam {
    const team: FakeTeam = {
      id,
      name: options.name ?? `Team ${id}`,
      enterpriseId: options.enterpriseId ?? null,
      botUserId: `UBOT${id}`,
      botId: `BBOT${id}`,
      channels: new Set(options.channels ?? []),
    };
    this.teams.set(id, team);
    return team;
  }

  /** The live (not revoked) bot token of a workspace, if it has one. */
  tokenOf(teamId: string): string | undefined {
    return [...this.tokens].find(([, issued]) => issued.teamId === teamId && !issued.revoked)?.[0];
  }

  /**
   * Slack's authorize page, as a browser signed in as `signedIn` sees it once the admin
   * presses Allow: a 302 back to redirect_uri with a code and the state, or an error page
   * for a request Slack would refuse (unknown client, unregistered redirect_uri, no scopes).
   */
  authorizePage(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const why = this.#authorizeRefusal(url);
    if (why || !this.signedIn) {
      res.writeHead(400, { 'content-type': 'text/html' }).end(`<p>Slack: ${why ?? 'not signed in'}</p>`);
      return;
    }
    const redirectUri = url.searchParams.get('redirect_uri') ?? undefined;
    const scopes = (url.searchParams.get('scope') ?? '').split(',').filter(Boolean);
    const code = `code-${this.signedIn.teamId}-${++this.#counter}`;
    this.#codes.set(code, { ...this.signedIn, clientId: this.app.clientId, redirectUri, scopes, expires: Date.now() + CODE_TTL_MS, used: false });
    const back = new URL(redirectUri ?? this.app.redirectUrls[0]!);
    back.searchParams.set('code', code);
    const state = url.searchParams.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  /** What Slack's authorize page refuses: an unknown client, a redirect_uri not registered, no scopes, nobody signed in. */
  #authorizeRefusal(url: URL): string | undefined {
    if (url.searchParams.get('client_id') !== this.app.clientId) return 'invalid_client_id';
    const redirectUri = url.searchParams.get('redirect_uri') ?? undefined;
    const target = redirectUri ?? this.app.redirectUrls[0];
    if (!target || (redirectUri !== undefined && !this.app.redirectUrls.includes(redirectUri))) return 'bad_redirect_uri: redirect_uri did not match any configured URIs';
    if ((url.searchParams.get('scope') ?? '').split(',').filter(Boolean).length === 0) return 'invalid_scope: the app asked for no scopes';
    if (!this.signedIn || !this.teams.has(this.signedIn.teamId)) return 'not signed in';
    return undefined;
  }

  /** oauth.v2.access: client credentials as form fields or HTTP Basic, the code once, the same redirect_uri. */
  exchange(args: Record<string, unknown>, authorization: string | undefined): Record<string, unknown> {
    let clientId = args.client_id as string | undefined;
    let clientSecret = args.client_secret as string | undefined;
    if (authorization?.startsWith('Basic ')) [clientId, clientSecret] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
    if (clientId !== this.app.clientId) return { ok: false, error: 'invalid_client_id' };
    if (clientSecret !== this.app.clientSecret) return { ok: false, error: 'bad_client_secret' };
    const code = this.#codes.get(String(args.code ?? ''));
    if (!code || code.clientId !== clientId || code.expires < Date.now()) return { ok: false, error: 'invalid_code' };
    if (code.used) return { ok: false, error: 'code_already_used' };
    if ((args.redirect_uri as string | undefined) !== code.redirectUri) return { ok: false, error: 'bad_redirect_uri' };
    code.used = true;
    const team = this.teams.get(code.teamId)!;
    if (code.orgWide) return this.#orgWide(team, code);
    // One bot token per workspace: a reinstall gets the live one back, with the scopes now granted.
    const token = this.tokenOf(team.id) ?? `xoxb-${team.id}-${++this.#counter}-${Math.random().toString(36).slice(2, 10)}`;
    this.tokens.set(token, { teamId: team.id, scopes: code.scopes, revoked: false });
    return {
      ok: true,
      access_token: token,
      token_type: 'bot',
      scope: code.scopes.join(','),
      bot_user_id: team.botUserId,
      app_id: this.app.appId,
      team: { id: team.id, name: team.name },
      enterprise: team.enterpriseId ? { id: team.enterpriseId, name: `Org ${team.enterpriseId}` } : null,
      is_enterprise_install: false,
      authed_user: { id: code.userId },
    };
  }

  /** An org-wide install (Enterprise Grid): one token for the org, no team in the answer. */
  #orgWide(team: FakeTeam, code: PendingCode): Record<string, unknown> {
    if (!team.enterpriseId) return { ok: false, error: 'not_an_enterprise' };
    const token = `xoxb-${team.enterpriseId}-${++this.#counter}`;
    this.tokens.set(token, { teamId: team.id, enterpriseId: team.enterpriseId, scopes: code.scopes, revoked: false });
    return {
      ok: true,
      access_token: token,
      token_type: 'bot',
      scope: code.scopes.join(','),
      bot_user_id: team.botUserId,
      app_id: this.app.appId,
      team: null,
      enterprise: { id: team.enterpriseId, name: `Org ${team.enterpriseId}` },
      is_enterprise_install: true,
      authed_user: { id: code.userId },
    };
  }

  /** Once strict: why Slack would refuse this call (a token not issued or revoked, a channel of another workspace), else undefined. */
  refusal(method: string, token: string | undefined, channel: string): string | undefined {
    if (!this.strict || method === 'oauth.v2.access' || method === 'apps.connections.open') return undefined;
    if (!token) return 'not_authed';
    const issued = this.tokens.get(token);
    if (!issued) return 'invalid_auth';
    if (issued.revoked) return 'token_revoked';
    const reach = issued.enterpriseId ? [...this.teams.values()].filter((team) => team.enterpriseId === issued.enterpriseId) : [this.teams.get(issued.teamId)];
    if (channel && !reach.some((team) => team?.channels.has(channel))) return 'channel_not_found';
    return undefined;
  }

  /** auth.test for a token issued here: the bot of that token's workspace. */
  authTest(token: string | undefined): Record<string, unknown> | undefined {
    const issued = token ? this.tokens.get(token) : undefined;
    const team = issued ? this.teams.get(issued.teamId) : undefined;
    if (!team) return undefined;
    return {
      ok: true,
      user_id: team.botUserId,
      bot_id: team.botId,
      team_id: team.id,
      team: team.name,
      user: 'switchboard',
      ...(team.enterpriseId ? { enterprise_id: team.enterpriseId } : {}),
    };
  }

  scopesOf(token: string | undefined): string[] | undefined {
    return token ? this.tokens.get(token)?.scopes : undefined;
  }

  /** The app removed from a workspace: its token is revoked, and the event Slack then sends. */
  uninstall(teamId: string): Record<string, unknown> {
    for (const issued of this.tokens.values()) if (issued.teamId === teamId) issued.revoked = true;
    return this.#event(teamId, { type: 'app_uninstalled' });
  }

  /** The workspace's bot token revoked (an admin did it): the event Slack then sends. */
  revokeBotToken(teamId: string): Record<string, unknown> {
    for (const issued of this.tokens.values()) if (issued.teamId === teamId) issued.revoked = true;
    return this.#event(teamId, { type: 'tokens_revoked', tokens: { bot: [this.teams.get(teamId)?.botUserId ?? ''] } });
  }

  #event(teamId: string, event: Record<string, unknown>): Record<string, unknown> {
    const team = this.teams.get(teamId);
    return {
      token: 'x',
      team_id: teamId,
      ...(team?.enterpriseId ? { enterprise_id: team.enterpriseId } : {}),
      api_app_id: this.app.appId,
      type: 'event_callback',
      event_id: `Ev-${event.type}-${++this.#counter}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { ...event, event_ts: `${Math.floor(Date.now() / 1000)}.000100` },
      authorizations: [{ enterprise_id: team?.enterpriseId ?? null, team_id: teamId, user_id: team?.botUserId, is_bot: true, is_enterprise_install: false }],
    };
  }
}

/** The token a Web API call carries: `Authorization: Bearer`, or a `token` argument. */
export function tokenOfCall(authorization: string | undefined, args: Record<string, unknown>): string | undefined {
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length);
  return typeof args.token === 'string' && args.token !== 'x' ? args.token : undefined;
}
