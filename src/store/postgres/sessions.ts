/** Conversation sessions in PostgreSQL (see src/store/sessions.ts). */
import type { PgDb, Sql } from './db.js';
import type { SessionRow, SessionStore } from '../sessions.js';

interface RawRow { key: string; flow: string; flow_version: number; state: string; history: string; version: number; updated_at: number; expires_at: number }

export class PgSessionStore implements SessionStore {
  constructor(private readonly db: PgDb) {}

  async get<S>(key: string): Promise<SessionRow<S> | undefined> {
    const row = (await this.db.query<RawRow>('SELECT * FROM sessions WHERE key = $1', [key])).rows[0];
    if (!row) return undefined;
    return {
      key: row.key, flow: row.flow, flowVersion: row.flow_version, state: JSON.parse(row.state) as S,
      history: JSON.parse(row.history) as S[], version: row.version, updatedAt: row.updated_at, expiresAt: row.expires_at,
    };
  }

  async purgeExpired(now: number): Promise<number> {
    return (await this.db.query('DELETE FROM sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  /** In the unit of work: writes the session only if nobody wrote it since it was read; false on a conflict. */
  async putIf(sql: Sql, r: SessionRow<unknown>, expected: number | undefined): Promise<boolean> {
    const values = [r.key, r.flow, r.flowVersion, JSON.stringify(r.state), JSON.stringify(r.history), r.version, r.updatedAt, r.expiresAt];
    const result = expected === undefined
      ? await sql.query(
        `INSERT INTO sessions (key, flow, flow_version, state, history, version, updated_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING`, values)
      : await sql.query(
        `UPDATE sessions SET flow = $2, flow_version = $3, state = $4, history = $5, version = $6, updated_at = $7, expires_at = $8
         WHERE key = $1 AND version = $9`, [...values, expected]);
    return result.rowCount === 1;
  }

  /** In the unit of work: deletes the session only if it is still at the version read; false on a conflict. */
  async deleteIf(sql: Sql, key: string, expected: number): Promise<boolean> {
    return (await sql.query('DELETE FROM sessions WHERE key = $1 AND version = $2', [key, expected])).rowCount === 1;
  }
}
