/** Conversation sessions in SQLite: one row per person per conversation, so a restart loses nothing. */
import type { Db } from './db.js';

export interface SessionRow<S> {
  key: string;
  flow: string;
  flowVersion: number;
  state: S;
  history: S[];
  version: number;
  updatedAt: number;
  expiresAt: number;
}

interface RawRow { key: string; flow: string; flow_version: number; state: string; history: string; version: number; updated_at: number; expires_at: number }

export class SessionStore<S> {
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly purgeStmt;
  private readonly insertNewStmt;
  private readonly updateIfStmt;
  private readonly deleteIfStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], RawRow>('SELECT * FROM sessions WHERE key = ?');
    this.upsertStmt = db.prepare(
      `INSERT INTO sessions (key, flow, flow_version, state, history, version, updated_at, expires_at)
       VALUES (@key, @flow, @flowVersion, @state, @history, @version, @updatedAt, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET flow = excluded.flow, flow_version = excluded.flow_version, state = excluded.state,
         history = excluded.history, version = excluded.version, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
    );
    this.deleteStmt = db.prepare('DELETE FROM sessions WHERE key = ?');
    this.insertNewStmt = db.prepare(
      `INSERT INTO sessions (key, flow, flow_version, state, history, version, updated_at, expires_at)
       VALUES (@key, @flow, @flowVersion, @state, @history, @version, @updatedAt, @expiresAt) ON CONFLICT (key) DO NOTHING`,
    );
    this.updateIfStmt = db.prepare(
      `UPDATE sessions SET flow = @flow, flow_version = @flowVersion, state = @state, history = @history, version = @version,
         updated_at = @updatedAt, expires_at = @expiresAt WHERE key = @key AND version = @expected`,
    );
    this.deleteIfStmt = db.prepare('DELETE FROM sessions WHERE key = ? AND version = ?');
    this.purgeStmt = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  }

  get(key: string): SessionRow<S> | undefined {
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    return {
      key: row.key, flow: row.flow, flowVersion: row.flow_version, state: JSON.parse(row.state) as S,
      history: JSON.parse(row.history) as S[], version: row.version, updatedAt: row.updated_at, expiresAt: row.expires_at,
    };
  }

  put(row: SessionRow<S>): void {
    this.upsertStmt.run({ ...row, state: JSON.stringify(row.state), history: JSON.stringify(row.history) });
  }

  delete(key: string): void {
    this.deleteStmt.run(key);
  }

  /**
   * Writes the session only if nobody wrote it since it was read (`expected`: the version read, or undefined
   * when there was none). False on a conflict: another process answered this person in between.
   */
  putIf(row: SessionRow<S>, expected: number | undefined): boolean {
    const values = { ...row, state: JSON.stringify(row.state), history: JSON.stringify(row.history) };
    if (expected === undefined) return this.insertNewStmt.run(values).changes === 1;
    return this.updateIfStmt.run({ ...values, expected }).changes === 1;
  }

  /** Deletes the session only if it is still at the version read; false on a conflict. */
  deleteIf(key: string, expected: number): boolean {
    return this.deleteIfStmt.run(key, expected).changes === 1;
  }

  /** Drops sessions quiet past their expiry; returns how many. */
  purgeExpired(now: number): number {
    return this.purgeStmt.run(now).changes;
  }

  /** Runs fn in one IMMEDIATE transaction: a read-then-write that a second process cannot interleave. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
