/** Chat app installations in PostgreSQL (see src/store/installations.ts). */
import { findInstallation, type Installation, type InstallationQuery, type InstallationStore } from '../installations.js';
import { installationValues, toInstallation, type InstallationRow } from '../rows.js';
import type { PgDb } from './db.js';

export class PgInstallationStore implements InstallationStore {
  constructor(private readonly db: PgDb) {}

  /** One statement: two replicas finishing installs of the same workspace leave one row, the later one. */
  async put(installation: Installation): Promise<void> {
    await this.db.query(
      `INSERT INTO slack_installations (key, team_id, enterprise_id, is_enterprise_install, bot_user_id, bot_id, app_id, scopes, installed_at, bot_token)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (key) DO UPDATE SET team_id = EXCLUDED.team_id, enterprise_id = EXCLUDED.enterprise_id,
         is_enterprise_install = EXCLUDED.is_enterprise_install, bot_user_id = EXCLUDED.bot_user_id, bot_id = EXCLUDED.bot_id,
         app_id = EXCLUDED.app_id, scopes = EXCLUDED.scopes, installed_at = EXCLUDED.installed_at, bot_token = EXCLUDED.bot_token`,
      installationValues(installation, (b) => b),
    );
  }

  async get(key: string): Promise<Installation | undefined> {
    const row = (await this.db.query<InstallationRow>('SELECT key, team_id, enterprise_id, is_enterprise_install, bot_user_id, bot_id, app_id, scopes, installed_at, bot_token FROM slack_installations WHERE key = $1', [key])).rows[0];
    return row ? toInstallation(row) : undefined;
  }

  find(query: InstallationQuery): Promise<Installation | undefined> {
    return findInstallation((key) => this.get(key), query);
  }

  async delete(key: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM slack_installations WHERE key = $1', [key])).rowCount ?? 0) > 0;
  }
}
