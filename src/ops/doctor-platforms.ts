import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Check } from './doctor.ts';
import { PACKAGE_ROOT } from '../util/package-root.ts';

const MANIFEST = join(PACKAGE_ROOT, 'config/slack-app-manifest.yaml');

/** The bot scopes the repository's Slack app manifest asks for: what the adapter calls needs them. */
export function manifestScopes(): string[] {
  const manifest = parse(readFileSync(MANIFEST, 'utf8')) as { oauth_config?: { scopes?: { bot?: string[] } } };
  return manifest.oauth_config?.scopes?.bot ?? [];
}

/**
 * SLACK_BOT_TOKEN: `auth.test` says whether Slack takes it, and the `x-oauth-scopes` header
 * of its answer which scopes the app was installed with, checked against the manifest's.
 */
export async function checkSlackToken(token: string, apiUrl: string | undefined): Promise<Check> {
  const base = apiUrl ? (apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`) : 'https://slack.com/api/';
  const name = 'slack token';
  let answer: Response;
  try {
    answer = await fetch(`${base}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    return { name, ok: false, detail: `Slack unreachable at ${base} (${(error as Error).message})`, fix: 'check the network (or SLACK_API_URL)' };
  }
  const body = (await answer.json().catch(() => ({}))) as { ok?: boolean; error?: string; team?: string; user?: string };
  if (!answer.ok || !body.ok) {
    return {
      name,
      ok: false,
      detail: `Slack refused SLACK_BOT_TOKEN (${body.error ?? `HTTP ${answer.status}`})`,
      fix: 'copy the Bot User OAuth Token (xoxb-) from OAuth & Permissions',
    };
  }
  const granted = new Set(
    (answer.headers.get('x-oauth-scopes') ?? '')
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean),
  );
  const missing = manifestScopes().filter((scope) => !granted.has(scope));
  if (missing.length > 0) {
    return {
      name,
      ok: false,
      detail: `the app lacks the scopes ${missing.join(', ')}`,
      fix: 'add them under OAuth & Permissions (or update the app from config/slack-app-manifest.yaml) and reinstall it',
    };
  }
  return { name, ok: true, detail: `bot ${body.user ?? '?'} in ${body.team ?? '?'}, every scope of the manifest granted` };
}

/** The application flags that allow the privileged MessageContent intent (verified apps, and apps in fewer than 100 servers). */
const GATEWAY_MESSAGE_CONTENT = 1 << 18;
const GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19;

/**
 * DISCORD_TOKEN: `GET /users/@me` says whether Discord takes it; `GET /applications/@me`
 * whether the application may use the MessageContent intent the adapter asks for (Guilds,
 * GuildMessages and DirectMessages need no approval).
 */
export async function checkDiscordToken(token: string, apiUrl: string | undefined): Promise<Check> {
  const base = `${apiUrl ?? 'https://discord.com/api'}/v10`;
  const name = 'discord token';
  const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bot ${token}` }, signal: AbortSignal.timeout(10_000) });
  let me: Response;
  try {
    me = await get('/users/@me');
  } catch (error) {
    return { name, ok: false, detail: `Discord unreachable at ${base} (${(error as Error).message})`, fix: 'check the network (or DISCORD_API_URL)' };
  }
  if (me.status === 401)
    return { name, ok: false, detail: 'Discord refused DISCORD_TOKEN (401 Unauthorized)', fix: 'copy the token from Bot in the Developer Portal (Reset Token)' };
  if (!me.ok) return { name, ok: false, detail: `Discord answered HTTP ${me.status} to GET /users/@me`, fix: 'try again; see https://discordstatus.com' };
  const user = (await me.json()) as { username?: string };
  const application = await get('/applications/@me');
  if (!application.ok) return { name, ok: false, detail: `Discord answered HTTP ${application.status} to GET /applications/@me`, fix: 'try again' };
  const { flags = 0 } = (await application.json()) as { flags?: number };
  if ((flags & (GATEWAY_MESSAGE_CONTENT | GATEWAY_MESSAGE_CONTENT_LIMITED)) === 0) {
    return {
      name,
      ok: false,
      detail: `bot ${user.username ?? '?'}: the Message Content intent is not enabled (without it only mentions, DMs and /sb are answered)`,
      fix: 'enable "Message Content Intent" under Bot in the Developer Portal',
    };
  }
  return { name, ok: true, detail: `bot ${user.username ?? '?'}, Message Content intent enabled` };
}
