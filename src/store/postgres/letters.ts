/** Letter drafts by case ID in PostgreSQL (see src/store/letters.ts). */
import type { PgDb, Sql } from './db.js';
import type { LetterStore, StoredLetter } from '../letters.js';

interface Row { case_id: string; template_id: string; template_version: number; facts: string; narrative: string | null; owner: string; updated_at: number }

export class PgLetterStore implements LetterStore {
  constructor(private readonly db: PgDb) {}

  async get(caseId: string): Promise<StoredLetter | undefined> {
    const r = (await this.db.query<Row>('SELECT * FROM letters WHERE case_id = $1', [caseId])).rows[0];
    if (!r) return undefined;
    const letter: StoredLetter = {
      caseId: r.case_id, templateId: r.template_id, templateVersion: r.template_version, facts: JSON.parse(r.facts) as Record<string, string>,
      owner: r.owner, updatedAt: r.updated_at,
    };
    if (r.narrative !== null) letter.narrative = JSON.parse(r.narrative) as string[];
    return letter;
  }

  async put(l: StoredLetter): Promise<void> {
    await this.write(this.db, l);
  }

  /** In the unit of work too. */
  async write(sql: Sql, l: StoredLetter): Promise<void> {
    await sql.query(
      `INSERT INTO letters (case_id, template_id, template_version, facts, narrative, owner, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (case_id) DO UPDATE SET template_id = excluded.template_id, template_version = excluded.template_version,
         facts = excluded.facts, narrative = excluded.narrative, owner = excluded.owner, updated_at = excluded.updated_at`,
      [l.caseId, l.templateId, l.templateVersion, JSON.stringify(l.facts), l.narrative ? JSON.stringify(l.narrative) : null, l.owner, l.updatedAt],
    );
  }
}
