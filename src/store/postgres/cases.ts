/** The cases each person has been answered on, in PostgreSQL (see src/store/cases.ts). */
import type { PgDb, Sql } from './db.js';
import type { CaseFile, CaseInput, CaseStore, CaseSummary } from '../cases.js';
import { toCaseFile, type CaseRow } from '../rows.js';

export class PgCaseStore implements CaseStore {
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async get(caseId: string): Promise<CaseFile | undefined> {
    const row = (await this.db.query<CaseRow>(
      'SELECT case_id AS "caseId", owner, procedure, lane, updated_at AS "updatedAt", facts FROM cases WHERE practice = $1 AND case_id = $2', [this.practice, caseId])).rows[0];
    return row && toCaseFile(row);
  }

  async recent(owner: string, limit = 5): Promise<CaseSummary[]> {
    return (await this.db.query<CaseSummary>(
      'SELECT case_id AS "caseId", procedure, lane, updated_at AS "updatedAt" FROM cases WHERE practice = $1 AND owner = $2 ORDER BY updated_at DESC, case_id DESC LIMIT $3', [this.practice, owner, limit])).rows;
  }

  /** In the unit of work. */
  async record(sql: Sql, owner: string, c: CaseInput): Promise<void> {
    await sql.query(
      `INSERT INTO cases (practice, case_id, owner, procedure, lane, updated_at, facts) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (practice, case_id) DO UPDATE SET procedure = excluded.procedure, lane = excluded.lane, updated_at = excluded.updated_at,
         facts = coalesce(excluded.facts, cases.facts)`,
      [this.practice, c.caseId, owner, c.procedure.slice(0, 80), c.lane, c.updatedAt, c.facts ? JSON.stringify(c.facts) : null],
    );
  }

  /** In the unit of work. */
  async forget(sql: Sql, owner: string, caseId: string): Promise<void> {
    await sql.query('DELETE FROM cases WHERE practice = $1 AND owner = $2 AND case_id = $3', [this.practice, owner, caseId]);
  }
}
