/** Conversation sessions in PostgreSQL (see src/store/sessions.ts). */
import type { PgDb, Sql } from './db.js';
import type { SessionRow, SessionStore } from '../sessions.js';
import { toSession, type SessionRawRow } from '../rows.js';

export class PgSessionStore implements SessionStore {
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async get<S>(key: string): Promise<SessionRow<S> | undefined> {
    const row = (await this.db.query<SessionRawRow>('SELECT key, flow, flow_version, state, history, version, updated_at, expires_at FROM sessions WHERE practice = $1 AND key = $2', [this.practice, key])).rows[0];
    return row && toSession<S>(row);
  }

  /** In the unit of work: writes the session only if nobody wrote it since it was read; false on a conflict. */
  async putIf(sql: Sql, r: SessionRow<unknown>, expected: number | undefined): Promise<boolean> {
    const values = [this.practice, r.key, r.flow, r.flowVersion, JSON.stringify(r.state), JSON.stringify(r.history), r.version, r.updatedAt, r.expiresAt];
    const result = expected === undefined
      ? await sql.query(
        `INSERT INTO sessions (practice, key, flow, flow_version, state, history, version, updated_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (practice, key) DO NOTHING`, values)
      : await sql.query(
        `UPDATE sessions SET flow = $3, flow_version = $4, state = $5, history = $6, version = $7, updated_at = $8, expires_at = $9
         WHERE practice = $1 AND key = $2 AND version = $10`, [...values, expected]);
    return result.rowCount === 1;
  }

  /** In the unit of work: deletes the session only if it is still at the version read; false on a conflict. */
  async deleteIf(sql: Sql, key: string, expected: number): Promise<boolean> {
    return (await sql.query('DELETE FROM sessions WHERE practice = $1 AND key = $2 AND version = $3', [this.practice, key, expected])).rowCount === 1;
  }
}
