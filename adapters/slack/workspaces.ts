import type { Authorize } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import { DeliveryError } from '../../src/chat/types.ts';
import { startFailure } from './errors.ts';
import { installationIdOf, type SlackInstallations } from './installations.ts';

/** Who the bot is in a workspace: its messages are never answered, its mention is stripped. */
export interface BotIdentity {
  userId: string;
  botId: string;
  teamId: string;
}

/** Where an installation event came from (app_uninstalled, tokens_revoked). */
export interface InstallationSource {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}

/**
 * The workspaces the adapter answers and the token each one is answered with. One
 * workspace: SLACK_BOT_TOKEN for everything. Many (the OAuth install): each workspace's
 * own installation, for Bolt's events (`authorize`) and for every call the adapter makes
 * later (replies, edits, deliveries after a restart): never one workspace's token for another.
 */
export interface SlackWorkspaces {
  readonly mode: 'single' | 'oauth';
  /** Bolt's authorize function (OAuth); undefined: Bolt uses the single token. */
  readonly authorize: Authorize<boolean> | undefined;
  /** Checks what can be checked before events flow (the single token with auth.test). */
  start(): Promise<void>;
  /** The Web API client for calls in `workspace` (a Slack team id). */
  clientFor(workspace: string): Promise<WebClient>;
  botOf(workspace: string): Promise<BotIdentity | undefined>;
  /** The single bot's user id; undefined with many workspaces (each has its own bot user). */
  singleBotUserId(): string | undefined;
  /** The app was uninstalled from a workspace, or its bot token revoked: it is answered no more. Says whether one was removed. */
  removed(source: InstallationSource): Promise<boolean>;
  /** Slack refused a workspace's token in a call: what is cached of it is dropped. */
  tokenRefused(workspace: string): void;
  health(): Record<string, unknown>;
}

/** SLACK_BOT_TOKEN: one workspace, found with auth.test at start. */
export function singleWorkspace(client: WebClient): SlackWorkspaces {
  let bot: BotIdentity | undefined;
  return {
    mode: 'single',
    authorize: undefined,
    async start() {
      const identity = (await client.auth.test().catch((error: unknown) => Promise.reject(startFailure(error, 'SLACK_BOT_TOKEN')))) as {
        user_id?: string;
        bot_id?: string;
        team_id?: string;
      };
      bot = { userId: identity.user_id ?? '', botId: identity.bot_id ?? '', teamId: identity.team_id ?? '' };
    },
    clientFor: async () => client,
    botOf: async () => bot,
    singleBotUserId: () => bot?.userId,
    async removed() {
      return false;
    },
    tokenRefused: () => undefined,
    health: () => ({ bot_user_id: bot?.userId ?? null }),
  };
}

/** The OAuth install: every workspace with its own installation (token sealed in storage). */
export function installedWorkspaces(options: { installations: SlackInstallations; clientOptions: WebClientOptions; log: Logger }): SlackWorkspaces {
  const { installations, clientOptions, log } = options;
  /** One client per token (a reinstall brings a new token, hence a new client). */
  const clients = new Map<string, WebClient>();
  /** Teams seen covered by an org-wide install (events name both; later deliveries name only the team). */
  const orgOfTeam = new Map<string, string>();

  const find = async (workspace: string) => installations.find({ teamId: workspace, enterpriseId: orgOfTeam.get(workspace) });

  const authorize: Authorize<boolean> = async (source) => {
    if (source.teamId && source.enterpriseId) orgOfTeam.set(source.teamId, source.enterpriseId);
    const found = await installations.find({ teamId: source.teamId, enterpriseId: source.enterpriseId });
    // Bolt acks the event and calls no listener: a workspace that uninstalled the app gets no answer.
    if (!found) throw new Error(`Switchboard is not installed in Slack workspace ${source.teamId ?? source.enterpriseId ?? '(unknown)'}`);
    return {
      botToken: found.botToken,
      botUserId: found.botUserId,
      botId: found.botId,
      ...(source.teamId ? { teamId: source.teamId } : found.teamId ? { teamId: found.teamId } : {}),
      ...(found.enterpriseId ? { enterpriseId: found.enterpriseId } : {}),
    };
  };

  return {
    mode: 'oauth',
    authorize,
    async start() {
      const installed = (await installations.list()).length;
      log.info({ installed }, 'Slack OAuth install: answering every workspace the app is installed in');
    },
    async clientFor(workspace) {
      const found = await find(workspace);
      // Final, not retried: the outbox gives up on a workspace that no longer has the app.
      if (!found) throw new DeliveryError(`Slack app not installed in workspace ${workspace}`, { permanent: true });
      let client = clients.get(found.botToken);
      if (!client) clients.set(found.botToken, (client = new WebClient(found.botToken, clientOptions)));
      return client;
    },
    async botOf(workspace) {
      const found = await find(workspace);
      return found ? { userId: found.botUserId, botId: found.botId, teamId: workspace } : undefined;
    },
    singleBotUserId: () => undefined,
    async removed(source) {
      const removed = await installations.remove(installationIdOf(source));
      // Clients are made again on demand; the removed token's must not be among them.
      if (removed) clients.clear();
      return removed;
    },
    tokenRefused(workspace) {
      installations.forget(installationIdOf({ teamId: workspace }));
      const org = orgOfTeam.get(workspace);
      if (org) installations.forget(installationIdOf({ enterpriseId: org, isEnterpriseInstall: true }));
    },
    health: () => ({ install: 'oauth' }),
  };
}
