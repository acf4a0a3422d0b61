/** The cases each person has been answered on, in SQLite (see src/store/cases.ts). */
import type { Db } from './db.js';
import type { CaseFile, CaseInput, CaseStore, CaseSummary } from '../cases.js';

export class SqliteCaseStore implements CaseStore {
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
    this.recentStmt = db.prepare<[string, number], CaseSummary>(
      'SELECT case_id AS caseId, procedure, lane, updated_at AS updatedAt FROM cases WHERE owner = ? ORDER BY updated_at DESC LIMIT ?',
    );
    this.getStmt = db.prepare<[string], { caseId: string; owner: string; procedure: string; lane: string; updatedAt: number; facts: string | null }>(
      'SELECT case_id AS caseId, owner, procedure, lane, updated_at AS updatedAt, facts FROM cases WHERE case_id = ?',
    );
    this.forgetStmt = db.prepare('DELETE FROM cases WHERE owner = ? AND case_id = ?');
  }

  async get(caseId: string): Promise<CaseFile | undefined> {
    const row = this.getStmt.get(caseId);
    return row ? { caseId: row.caseId, owner: row.owner, procedure: row.procedure, lane: row.lane, updatedAt: row.updatedAt, facts: row.facts ? (JSON.parse(row.facts) as Record<string, unknown>) : {} } : undefined;
  }

  async recent(owner: string, limit = 5): Promise<CaseSummary[]> {
    return this.recentStmt.all(owner, limit);
  }

  /** In the unit of work. */
  record(owner: string, c: CaseInput): void {
    this.upsert.run(c.caseId, owner, c.procedure.slice(0, 80), c.lane, c.updatedAt, c.facts ? JSON.stringify(c.facts) : null);
  }

  /** In the unit of work. */
  forget(owner: string, caseId: string): void {
    this.forgetStmt.run(owner, caseId);
  }
}
