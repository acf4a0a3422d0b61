/** Held things in PostgreSQL (see src/store/held.ts). */
import type { HeldStore, HeldThing } from '../held.js';
import { heldFor, toHeld, type HeldRow } from '../rows.js';
import type { PgDb } from './db.js';

const SELECT = 'SELECT kind, bytes, name, media_type, owner, until FROM held WHERE token = $1 AND kind = $2 AND until > $3 AND practice = $4';

export class PgHeldStore implements HeldStore {
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async hold(token: string, thing: HeldThing, now: number): Promise<void> {
    // Every practice's expired things, whichever practice holds next (src/store/held.ts: hold), dropped in the
    // same statement: one round trip, together, as SQLite's transaction does.
    await this.db.query(
      `WITH expired AS (DELETE FROM held WHERE until <= $9)
       INSERT INTO held (token, kind, bytes, name, media_type, owner, until, practice) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [token, thing.kind, thing.bytes, thing.name ?? null, thing.mediaType ?? null, thing.owner ?? null, thing.until, this.practice, now],
    );
  }

  async get(token: string, kind: string, owner: string | undefined, now: number): Promise<HeldThing | undefined> {
    return heldFor((await this.db.query<HeldRow>(SELECT, [token, kind, now, this.practice])).rows[0], owner);
  }

  /** One statement: two processes answering the same offer cannot both take it. */
  async take(token: string, kind: string, owner: string | undefined, now: number): Promise<HeldThing | undefined> {
    const row = (await this.db.query<HeldRow>(
      `DELETE FROM held WHERE token = $1 AND kind = $2 AND until > $3 AND (owner IS NULL OR owner = $4) AND practice = $5
       RETURNING kind, bytes, name, media_type, owner, until`,
      [token, kind, now, owner ?? null, this.practice],
    )).rows[0];
    return row ? toHeld(row) : undefined;
  }
}
