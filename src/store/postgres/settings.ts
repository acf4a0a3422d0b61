/** A practice's settings in PostgreSQL (see src/store/settings.ts). */
import type { PgDb } from './db.js';
import type { PracticeSettings, SettingsStore, StoredSettings } from '../settings.js';

export class PgSettingsStore implements SettingsStore {
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async get(): Promise<StoredSettings | undefined> {
    const row = (await this.db.query<{ settings: string; updated_at: number }>('SELECT settings, updated_at FROM practice_settings WHERE practice = $1', [this.practice])).rows[0];
    return row ? { settings: JSON.parse(row.settings) as PracticeSettings, updatedAt: row.updated_at } : undefined;
  }

  async put(settings: PracticeSettings, now: number): Promise<void> {
    await this.db.query(
      `INSERT INTO practice_settings (practice, settings, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (practice) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
      [this.practice, JSON.stringify(settings), now],
    );
  }
}
