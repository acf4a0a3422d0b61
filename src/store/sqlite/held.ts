/** Held things in SQLite (see src/store/held.ts). */
import type { HeldStore, HeldThing } from '../held.js';
import { heldFor, type HeldRow } from '../rows.js';
import type { Db } from './db.js';

export class SqliteHeldStore implements HeldStore {
  private readonly insertStmt;
  private readonly purgeStmt;
  private readonly getStmt;
  private readonly deleteStmt;

  constructor(private readonly db: Db, private readonly practice: string) {
    this.insertStmt = db.prepare('INSERT INTO held (practice, token, kind, bytes, name, media_type, owner, until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    // Every practice's expired things, whichever practice holds next (src/store/held.ts: hold).
    this.purgeStmt = db.prepare('DELETE FROM held WHERE until <= ?');
    this.getStmt = db.prepare<[string, string, string, number], HeldRow>('SELECT kind, bytes, name, media_type, owner, until FROM held WHERE practice = ? AND token = ? AND kind = ? AND until > ?');
    this.deleteStmt = db.prepare('DELETE FROM held WHERE practice = ? AND token = ?');
  }

  async hold(token: string, thing: HeldThing, now: number): Promise<void> {
    this.db.transaction(() => {
      this.purgeStmt.run(now);
      this.insertStmt.run(this.practice, token, thing.kind, thing.bytes, thing.name ?? null, thing.mediaType ?? null, thing.owner ?? null, thing.until);
    }).immediate();
  }

  async get(token: string, kind: string, owner: string | undefined, now: number): Promise<HeldThing | undefined> {
    return heldFor(this.getStmt.get(this.practice, token, kind, now), owner);
  }

  async take(token: string, kind: string, owner: string | undefined, now: number): Promise<HeldThing | undefined> {
    return this.db.transaction(() => {
      const thing = heldFor(this.getStmt.get(this.practice, token, kind, now), owner);
      if (thing) this.deleteStmt.run(this.practice, token);
      return thing;
    }).immediate();
  }
}
