import type { Installation, InstallationRepo } from '../types.ts';
import type { Db } from './db.ts';

/** Installations in `sb_installations`, shared by every process on the database. */
export class PgInstallationRepo implements InstallationRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(installationId: string): Promise<Installation | null> {
    const { rows } = await this.#db.query<{ doc: Installation }>('SELECT doc FROM sb_installations WHERE installation_id = $1', [installationId]);
    return rows[0]?.doc ?? null;
  }

  async put(installation: Installation): Promise<void> {
    await this.#db.query(
      `INSERT INTO sb_installations (installation_id, platform, team_id, enterprise_id, installed_at, doc) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (installation_id) DO UPDATE SET team_id = EXCLUDED.team_id, enterprise_id = EXCLUDED.enterprise_id, installed_at = EXCLUDED.installed_at, doc = EXCLUDED.doc`,
      [installation.installation_id, installation.platform, installation.team_id, installation.enterprise_id, installation.installed_at, installation],
    );
  }

  async delete(installationId: string): Promise<boolean> {
    const { rowCount } = await this.#db.query('DELETE FROM sb_installations WHERE installation_id = $1', [installationId]);
    return (rowCount ?? 0) > 0;
  }

  async list(): Promise<Installation[]> {
    const { rows } = await this.#db.query<{ doc: Installation }>('SELECT doc FROM sb_installations ORDER BY installed_at, installation_id');
    return rows.map((row) => row.doc);
  }
}
