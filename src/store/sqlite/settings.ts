/** A practice's settings in SQLite (see src/store/settings.ts). */
import type { Db } from './db.js';
import type { PracticeSettings, SettingsStore, StoredSettings } from '../settings.js';

export class SqliteSettingsStore implements SettingsStore {
  private readonly getStmt;
  private readonly putStmt;

  constructor(db: Db, private readonly practice: string) {
    this.getStmt = db.prepare<[string], { settings: string; updated_at: number }>('SELECT settings, updated_at FROM practice_settings WHERE practice = ?');
    this.putStmt = db.prepare(
      `INSERT INTO practice_settings (practice, settings, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (practice) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
    );
  }

  async get(): Promise<StoredSettings | undefined> {
    const row = this.getStmt.get(this.practice);
    return row ? { settings: JSON.parse(row.settings) as PracticeSettings, updatedAt: row.updated_at } : undefined;
  }

  async put(settings: PracticeSettings, now: number): Promise<void> {
    this.putStmt.run(this.practice, JSON.stringify(settings), now);
  }
}
