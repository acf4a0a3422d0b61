/** Conversation references in SQLite (see src/store/references.ts). */
import type { Db } from './db.js';
import type { ReferenceStore } from '../references.js';

export class SqliteReferenceStore implements ReferenceStore {
  private readonly upsert;
  private readonly getStmt;
  private readonly listStmt;

  constructor(db: Db, private readonly practice: string) {
    this.upsert = db.prepare(
      `INSERT INTO conversation_refs (practice, address, platform, ref, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (practice, address) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at`,
    );
    this.getStmt = db.prepare<[string, string], { ref: string }>('SELECT ref FROM conversation_refs WHERE practice = ? AND address = ?');
    this.listStmt = db.prepare<[string, string], { address: string; ref: string }>('SELECT address, ref FROM conversation_refs WHERE practice = ? AND platform = ? ORDER BY address');
  }

  async put(address: string, platform: string, ref: unknown, now: number): Promise<void> {
    this.upsert.run(this.practice, address, platform, JSON.stringify(ref), now);
  }

  async get(address: string): Promise<unknown> {
    const row = this.getStmt.get(this.practice, address);
    return row ? (JSON.parse(row.ref) as unknown) : undefined;
  }

  async list(platform: string): Promise<{ address: string; ref: unknown }[]> {
    return this.listStmt.all(this.practice, platform).map((r) => ({ address: r.address, ref: JSON.parse(r.ref) as unknown }));
  }
}
