/** Held things in SQLite (see src/store/held.ts). */
import type { HeldStore, HeldThing } from '../held.js';
import { toHeld, type HeldRow } from '../rows.js';
import type { Db } from './db.js';

export class SqliteHeldStore implements HeldStore {
  private readonly insertStmt;
  private readonly purgeStmt;
  private readonly getStmt;
  private readonly deleteStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT INTO held (token, kind, bytes, name, media_type, owner, until) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.purgeStmt = db.prepare('DELETE FROM held WHERE until <= ?');
    this.getStmt = db.prepare<[string, string, number], HeldRow>('SELECT kind, bytes, name, media_type, owner, until FROM held WHERE token = ? AND kind = ? AND until > ?');
    this.deleteStmt = db.prepare('DELETE FROM held WHERE token = ?');
  }

  async hold(token: string, thing: HeldThing, now: number): Promise<void> {
    this.db.transaction(() => {
      this.purgeStmt.run(now);
      this.insertStmt.run(token, thing.kind, thing.bytes, thing.name ?? null, thing.mediaType ?? null, thing.owner ?? null, thing.until);
    }).immediate();
  }

  async get(token: string, kind: string, owner: string | undefined, now: number): Promise<HeldThing | undefined> {
    const row = this.getStmt.get(token, kind, now);
    if (!row || (row.owner !== null && row.owner !== owner)) return undefined;
    return toHeld(row);
  }

  async take(token: string, kind: string, owner: string | undefined, now: number): Promise<HeldThing | undefined> {
    return this.db.transaction(() => {
      const row = this.getStmt.get(token, kind, now);
      if (!row || (row.owner !== null && row.owner !== owner)) return undefined;
      this.deleteStmt.run(token);
      return toHeld(row);
    }).immediate();
  }
}
