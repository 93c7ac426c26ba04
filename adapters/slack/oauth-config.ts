import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SwitchboardError } from '../../src/errors.ts';
import { type SecretSealer, sealerFromKey } from '../../src/util/sealed-secret.ts';

/** The variables that turn the OAuth install (many workspaces) on: all three, or none. */
export const OAUTH_VARIABLES = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;

export const SLACK_OAUTH_DEFAULTS = {
  /** Slack's authorize page; SLACK_AUTHORIZE_URL points elsewhere (a test's fake Slack). */
  authorizeUrl: 'https://slack.com/oauth/v2/authorize',
  /** How long an install link's state is good for: Bolt's InstallProvider also allows 10 minutes. */
  stateTtlSeconds: 600,
} as const;

/** The bot scopes the app manifest asks for: what an install requests unless SLACK_SCOPES says otherwise. */
export function manifestScopes(): string[] {
  const manifest = parseYaml(readFileSync(new URL('../../config/slack-app-manifest.yaml', import.meta.url), 'utf8')) as { oauth_config?: { scopes?: { bot?: string[] } } };
  return manifest.oauth_config?.scopes?.bot ?? [];
}

const commaList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9_.:-]+$/, 'a Slack scope such as chat:write')).min(1));

const envSchema = z.object({
  SLACK_CLIENT_ID: z.string().trim().min(1),
  SLACK_CLIENT_SECRET: z.string().trim().min(1),
  /** Signs install links' state: long enough to resist guessing. */
  SLACK_STATE_SECRET: z.string().min(16, 'SLACK_STATE_SECRET must be at least 16 characters (openssl rand -base64 32)'),
  /** The public URL of /slack/oauth_redirect, as registered in the app's OAuth settings; unset: derived from the install request. */
  SLACK_REDIRECT_URI: z.url({ protocol: /^https?$/ }).optional(),
  SLACK_AUTHORIZE_URL: z.url({ protocol: /^https?$/ }).default(SLACK_OAUTH_DEFAULTS.authorizeUrl),
  SLACK_SCOPES: commaList.optional(),
});

export interface SlackOAuthConfig {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  redirectUri: string | undefined;
  authorizeUrl: string;
  scopes: string[];
  stateTtlMs: number;
  /** Seals the bot tokens kept in storage (SWITCHBOARD_SECRET_KEY). */
  sealer: SecretSealer;
}

/**
 * The OAuth install's settings from the environment, or undefined when none of its
 * variables is set (one workspace, SLACK_BOT_TOKEN: the default). Half a setup is refused
 * in one line naming what is missing, and so is OAuth without SWITCHBOARD_SECRET_KEY: the
 * tokens it stores are never written in clear.
 */
export function slackOAuthFromEnv(env: NodeJS.ProcessEnv): SlackOAuthConfig | undefined {
  const present = OAUTH_VARIABLES.filter((name) => env[name]);
  if (present.length === 0) return undefined;
  const missing = OAUTH_VARIABLES.filter((name) => !env[name]);
  if (missing.length > 0) throw new SwitchboardError('config_invalid', `Slack's OAuth install needs ${OAUTH_VARIABLES.join(', ')}; ${missing.join(' and ')} not set`);
  if (env.SLACK_BOT_TOKEN) {
    throw new SwitchboardError(
      'config_invalid',
      'set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (many workspaces, OAuth install), not both',
    );
  }
  if (!env.SWITCHBOARD_SECRET_KEY) {
    throw new SwitchboardError('config_invalid', "Slack's OAuth install needs SWITCHBOARD_SECRET_KEY to encrypt workspace tokens: generate one with `openssl rand -base64 32`");
  }
  const sealer = sealerFromKey(env.SWITCHBOARD_SECRET_KEY);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SwitchboardError('config_invalid', `${issue.path.join('.')}: ${issue.message}`);
  }
  const settings = parsed.data;
  return {
    clientId: settings.SLACK_CLIENT_ID,
    clientSecret: settings.SLACK_CLIENT_SECRET,
    stateSecret: settings.SLACK_STATE_SECRET,
    redirectUri: settings.SLACK_REDIRECT_URI,
    authorizeUrl: settings.SLACK_AUTHORIZE_URL,
    scopes: settings.SLACK_SCOPES ?? manifestScopes(),
    stateTtlMs: SLACK_OAUTH_DEFAULTS.stateTtlSeconds * 1000,
    sealer,
  };
}
