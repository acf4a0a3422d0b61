/** The cases each person has been answered on, in SQLite (see src/store/cases.ts). */
import type { Db } from './db.js';
import type { CaseFile, CaseInput, CaseStore, CaseSummary } from '../cases.js';
import { toCaseFile, type CaseRow } from '../rows.js';

export class SqliteCaseStore implements CaseStore {
  private readonly upsert;
  private readonly recentStmt;
  private readonly getStmt;
  private readonly forgetStmt;

  constructor(db: Db, private readonly practice: string) {
    this.upsert = db.prepare(
      `INSERT INTO cases (practice, case_id, owner, procedure, lane, updated_at, facts) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (practice, case_id) DO UPDATE SET procedure = excluded.procedure, lane = excluded.lane, updated_at = excluded.updated_at,
         facts = coalesce(excluded.facts, cases.facts)`,
    );
    this.recentStmt = db.prepare<[string, string, number], CaseSummary>(
      'SELECT case_id AS caseId, procedure, lane, updated_at AS updatedAt FROM cases WHERE practice = ? AND owner = ? ORDER BY updated_at DESC LIMIT ?',
    );
    this.getStmt = db.prepare<[string, string], CaseRow>(
      'SELECT case_id AS caseId, owner, procedure, lane, updated_at AS updatedAt, facts FROM cases WHERE practice = ? AND case_id = ?',
    );
    this.forgetStmt = db.prepare('DELETE FROM cases WHERE practice = ? AND owner = ? AND case_id = ?');
  }

  async get(caseId: string): Promise<CaseFile | undefined> {
    const row = this.getStmt.get(this.practice, caseId);
    return row && toCaseFile(row);
  }

  async recent(owner: string, limit = 5): Promise<CaseSummary[]> {
    return this.recentStmt.all(this.practice, owner, limit);
  }

  /** In the unit of work. */
  record(owner: string, c: CaseInput): void {
    this.upsert.run(this.practice, c.caseId, owner, c.procedure.slice(0, 80), c.lane, c.updatedAt, c.facts ? JSON.stringify(c.facts) : null);
  }

  /** In the unit of work. */
  forget(owner: string, caseId: string): void {
    this.forgetStmt.run(this.practice, owner, caseId);
  }
}
