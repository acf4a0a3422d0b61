/** The cases each person has been answered on, newest first: the case id, the procedure and the lane. */
import type { Db } from './db.js';

export interface CaseSummary { caseId: string; procedure: string; lane: string; updatedAt: number }

export class CaseStore {
  private readonly upsert;
  private readonly recentStmt;

  constructor(db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO cases (case_id, owner, procedure, lane, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (case_id) DO UPDATE SET procedure = excluded.procedure, lane = excluded.lane, updated_at = excluded.updated_at`,
    );
    this.recentStmt = db.prepare<[string, number], { caseId: string; procedure: string; lane: string; updatedAt: number }>(
      'SELECT case_id AS caseId, procedure, lane, updated_at AS updatedAt FROM cases WHERE owner = ? ORDER BY updated_at DESC LIMIT ?',
    );
  }

  record(owner: string, c: CaseSummary): void {
    this.upsert.run(c.caseId, owner, c.procedure.slice(0, 80), c.lane, c.updatedAt);
  }

  recent(owner: string, limit = 5): CaseSummary[] {
    return this.recentStmt.all(owner, limit);
  }
}
