/** Conversation sessions in SQLite: one row per person per conversation, so a restart loses nothing; a practice's view reads and writes its own. */
import type { Db } from './db.js';
import type { SessionRow, SessionStore } from '../sessions.js';
import { toSession, type SessionRawRow } from '../rows.js';

export class SqliteSessionStore implements SessionStore {
  private readonly getStmt;
  private readonly insertNewStmt;
  private readonly updateIfStmt;
  private readonly deleteIfStmt;

  constructor(db: Db, private readonly practice: string) {
    this.getStmt = db.prepare<[string, string], SessionRawRow>('SELECT * FROM sessions WHERE practice = ? AND key = ?');
    this.insertNewStmt = db.prepare(
      `INSERT INTO sessions (practice, key, flow, flow_version, state, history, version, updated_at, expires_at)
       VALUES (@practice, @key, @flow, @flowVersion, @state, @history, @version, @updatedAt, @expiresAt) ON CONFLICT (practice, key) DO NOTHING`,
    );
    this.updateIfStmt = db.prepare(
      `UPDATE sessions SET flow = @flow, flow_version = @flowVersion, state = @state, history = @history, version = @version,
         updated_at = @updatedAt, expires_at = @expiresAt WHERE practice = @practice AND key = @key AND version = @expected`,
    );
    this.deleteIfStmt = db.prepare('DELETE FROM sessions WHERE practice = ? AND key = ? AND version = ?');
  }

  async get<S>(key: string): Promise<SessionRow<S> | undefined> {
    const row = this.getStmt.get(this.practice, key);
    return row && toSession<S>(row);
  }

  /** In the unit of work: writes the session only if nobody wrote it since it was read; false on a conflict. */
  putIf(row: SessionRow<unknown>, expected: number | undefined): boolean {
    const values = { ...row, practice: this.practice, state: JSON.stringify(row.state), history: JSON.stringify(row.history) };
    if (expected === undefined) return this.insertNewStmt.run(values).changes === 1;
    return this.updateIfStmt.run({ ...values, expected }).changes === 1;
  }

  /** In the unit of work: deletes the session only if it is still at the version read; false on a conflict. */
  deleteIf(key: string, expected: number): boolean {
    return this.deleteIfStmt.run(this.practice, key, expected).changes === 1;
  }
}
