import type { Installation, InstallationRepo } from '../../src/storage/types.ts';
import type { SecretSealer } from '../../src/util/sealed-secret.ts';

/** A workspace's installation as the adapter uses it: its bot and its token in clear (memory only). */
export interface InstalledWorkspace {
  installationId: string;
  teamId: string | null;
  enterpriseId: string | null;
  botToken: string;
  botUserId: string;
  botId: string;
  scopes: string[];
}

/** What `oauth.v2.access` and `auth.test` said of a new installation. */
export interface NewInstallation {
  teamId: string | null;
  teamName: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
  appId: string | null;
  botToken: string;
  botUserId: string;
  botId: string;
  scopes: string[];
  installerUserId: string | null;
}

/** `slack:team:T1`, or `slack:enterprise:E1` for an org-wide (Enterprise Grid) install. */
export function installationIdOf(where: { teamId?: string | null | undefined; enterpriseId?: string | null | undefined; isEnterpriseInstall?: boolean | undefined }): string {
  if (where.isEnterpriseInstall && where.enterpriseId) return `slack:enterprise:${where.enterpriseId}`;
  return `slack:team:${where.teamId ?? ''}`;
}

/** How long a looked-up installation is trusted before storage is read again (another process may have removed it). */
const CACHE_MS = 60_000;

/**
 * The Slack workspaces the app is installed in, over the storage's installations: tokens
 * are sealed on the way in and opened on the way out, so storage never sees one in clear.
 * Lookups are cached briefly; a removal here, or a token Slack refuses, drops the entry at once.
 */
export class SlackInstallations {
  readonly #repo: InstallationRepo;
  readonly #sealer: SecretSealer;
  readonly #now: () => number;
  readonly #cache = new Map<string, { workspace: InstalledWorkspace; until: number }>();

  constructor(options: { repo: InstallationRepo; sealer: SecretSealer; now?: () => number }) {
    this.#repo = options.repo;
    this.#sealer = options.sealer;
    this.#now = options.now ?? Date.now;
  }

  async save(details: NewInstallation): Promise<InstalledWorkspace> {
    const installationId = installationIdOf(details);
    const now = new Date(this.#now()).toISOString();
    const previous = await this.#repo.get(installationId);
    const record: Installation = {
      installation_id: installationId,
      platform: 'slack',
      team_id: details.teamId,
      team_name: details.teamName,
      enterprise_id: details.enterpriseId,
      is_enterprise_install: details.isEnterpriseInstall,
      app_id: details.appId,
      bot_user_id: details.botUserId,
      bot_id: details.botId,
      scopes: details.scopes,
      bot_token_sealed: this.#sealer.seal(details.botToken, installationId),
      installer_user_id: details.installerUserId,
      installed_at: previous?.installed_at ?? now,
      updated_at: now,
    };
    await this.#repo.put(record);
    const workspace = this.#open(record);
    this.#cache.set(installationId, { workspace, until: this.#now() + CACHE_MS });
    return workspace;
  }

  /**
   * The installation answering a workspace: the team's own, else its org's (an org-wide
   * install covers every team of the org). Null when the app is not installed there.
   */
  async find(where: { teamId?: string | null | undefined; enterpriseId?: string | null | undefined }): Promise<InstalledWorkspace | null> {
    if (where.teamId) {
      const team = await this.#lookup(installationIdOf({ teamId: where.teamId }));
      if (team) return team;
    }
    if (where.enterpriseId) return this.#lookup(installationIdOf({ enterpriseId: where.enterpriseId, isEnterpriseInstall: true }));
    return null;
  }

  /** Removes an installation (uninstalled, or its bot token revoked); says whether there was one. */
  async remove(installationId: string): Promise<boolean> {
    this.#cache.delete(installationId);
    return this.#repo.delete(installationId);
  }

  /** Forgets what is cached of an installation, so the next lookup reads storage. */
  forget(installationId: string): void {
    this.#cache.delete(installationId);
  }

  async list(): Promise<InstalledWorkspace[]> {
    return (await this.#repo.list()).map((record) => this.#open(record));
  }

  async #lookup(installationId: string): Promise<InstalledWorkspace | null> {
    const cached = this.#cache.get(installationId);
    if (cached && cached.until > this.#now()) return cached.workspace;
    const record = await this.#repo.get(installationId);
    if (!record) return null;
    // Only found ones are cached: a workspace installed through another process is seen at its first event.
    const workspace = this.#open(record);
    this.#cache.set(installationId, { workspace, until: this.#now() + CACHE_MS });
    return workspace;
  }

  #open(record: Installation): InstalledWorkspace {
    return {
      installationId: record.installation_id,
      teamId: record.team_id,
      enterpriseId: record.enterprise_id,
      botToken: this.#sealer.open(record.bot_token_sealed, record.installation_id),
      botUserId: record.bot_user_id,
      botId: record.bot_id,
      scopes: record.scopes,
    };
  }
}
