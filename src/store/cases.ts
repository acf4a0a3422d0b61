/**
 * The cases each person has been answered on, newest first: the case id, the procedure (as recognised) and
 * the lane, and the case's facts (no identifiers: they were scrubbed before any flow saw them), so that a
 * letter or a claim can refer to the case by its ID after the conversation has ended.
 */
import type { Db } from './db.js';

export interface CaseSummary { caseId: string; procedure: string; lane: string; updatedAt: number }
export interface CaseFile extends CaseSummary { owner: string; facts: Record<string, unknown> }

export class CaseStore {
  private readonly upsert;
  private readonly recentStmt;
  private readonly getStmt;
  private readonly forgetStmt;

  constructor(db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO cases (case_id, owner, procedure, lane, updated_at, facts) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (case_id) DO UPDATE SET procedure = excluded.procedure, lane = excluded.lane, updated_at = excluded.updated_at,
         facts = coalesce(excluded.facts, cases.facts)`,
    );
    this.recentStmt = db.prepare<[string, number], { caseId: string; procedure: string; lane: string; updatedAt: number }>(
      'SELECT case_id AS caseId, procedure, lane, updated_at AS updatedAt FROM cases WHERE owner = ? ORDER BY updated_at DESC LIMIT ?',
    );
    this.getStmt = db.prepare<[string], { caseId: string; owner: string; procedure: string; lane: string; updatedAt: number; facts: string | null }>(
      'SELECT case_id AS caseId, owner, procedure, lane, updated_at AS updatedAt, facts FROM cases WHERE case_id = ?',
    );
    this.forgetStmt = db.prepare('DELETE FROM cases WHERE owner = ? AND case_id = ?');
  }

  /** Drops one of this person's cases (one they undid); another person's case is never touched. */
  forget(owner: string, caseId: string): void {
    this.forgetStmt.run(owner, caseId);
  }

  record(owner: string, c: CaseSummary & { facts?: Record<string, unknown> }): void {
    this.upsert.run(c.caseId, owner, c.procedure.slice(0, 80), c.lane, c.updatedAt, c.facts ? JSON.stringify(c.facts) : null);
  }

  /** A case by its ID, with its facts; undefined when medbill never answered it. */
  get(caseId: string): CaseFile | undefined {
    const row = this.getStmt.get(caseId);
    return row ? { caseId: row.caseId, owner: row.owner, procedure: row.procedure, lane: row.lane, updatedAt: row.updatedAt, facts: row.facts ? (JSON.parse(row.facts) as Record<string, unknown>) : {} } : undefined;
  }

  recent(owner: string, limit = 5): CaseSummary[] {
    return this.recentStmt.all(owner, limit);
  }
}
