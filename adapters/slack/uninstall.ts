import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { InstallationSource, SlackWorkspaces } from './workspaces.ts';

interface InstallationEventBody {
  team_id?: string;
  enterprise_id?: string;
  authorizations?: Array<{ team_id?: string | null; enterprise_id?: string | null; is_enterprise_install?: boolean }>;
  event?: { type?: string; tokens?: { oauth?: string[]; bot?: string[] } };
}

/** Where an installation event is from: the body's team, and whether the install it ends is org-wide. */
function sourceOf(body: InstallationEventBody): InstallationSource {
  const authorization = body.authorizations?.[0];
  return {
    teamId: body.team_id ?? authorization?.team_id ?? undefined,
    enterpriseId: body.enterprise_id ?? authorization?.enterprise_id ?? undefined,
    isEnterpriseInstall: authorization?.is_enterprise_install ?? false,
  };
}

/**
 * `app_uninstalled` and `tokens_revoked` end a workspace's installation: its token is
 * deleted from storage and its events are no longer answered (Bolt calls these two
 * listeners without `authorize`, the token being gone already). With one workspace
 * (SLACK_BOT_TOKEN) there is nothing stored to remove: the log says what happened.
 */
export function listenForUninstalls(app: App, workspaces: SlackWorkspaces, log: Logger): void {
  const end = async (body: InstallationEventBody, why: string) => {
    const source = sourceOf(body);
    const removed = await workspaces.removed(source);
    if (workspaces.mode === 'single') log.error({ team: source.teamId, why }, 'Slack: the app lost its token in its workspace; set a new SLACK_BOT_TOKEN');
    else log.info({ team: source.teamId, enterprise: source.enterpriseId, why, removed }, 'Slack installation removed');
  };
  app.event('app_uninstalled', async ({ body }) => end(body as InstallationEventBody, 'app_uninstalled'));
  app.event('tokens_revoked', async ({ body }) => {
    // Only the bot's token matters: Switchboard keeps no user tokens.
    if ((body as InstallationEventBody).event?.tokens?.bot?.length) await end(body as InstallationEventBody, 'tokens_revoked');
  });
}
