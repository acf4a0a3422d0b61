/** Chat app installations in SQLite (see src/store/installations.ts). */
import { findInstallation, type Installation, type InstallationQuery, type InstallationStore } from '../installations.js';
import { installationValues, toInstallation, type InstallationRow } from '../rows.js';
import type { Db } from './db.js';

export class SqliteInstallationStore implements InstallationStore {
  private readonly putStmt;
  private readonly getStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.putStmt = db.prepare(`INSERT OR REPLACE INTO slack_installations
      (key, team_id, enterprise_id, is_enterprise_install, bot_user_id, bot_id, app_id, scopes, installed_at, bot_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.getStmt = db.prepare<[string], InstallationRow>('SELECT * FROM slack_installations WHERE key = ?');
    this.deleteStmt = db.prepare('DELETE FROM slack_installations WHERE key = ?');
  }

  async put(installation: Installation): Promise<void> {
    this.putStmt.run(...installationValues(installation, (b) => (b ? 1 : 0)));
  }

  async get(key: string): Promise<Installation | undefined> {
    const row = this.getStmt.get(key);
    return row ? toInstallation(row) : undefined;
  }

  find(query: InstallationQuery): Promise<Installation | undefined> {
    return findInstallation((key) => this.get(key), query);
  }

  async delete(key: string): Promise<boolean> {
    return this.deleteStmt.run(key).changes > 0;
  }
}
