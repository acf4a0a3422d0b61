/** Letter drafts by case ID in PostgreSQL (see src/store/letters.ts). */
import type { PgDb, Sql } from './db.js';
import type { LetterStore, StoredLetter } from '../letters.js';

import { toLetter, type LetterRow } from '../rows.js';

export class PgLetterStore implements LetterStore {
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async get(caseId: string): Promise<StoredLetter | undefined> {
    const r = (await this.db.query<LetterRow>('SELECT case_id, template_id, template_version, facts, narrative, owner, updated_at FROM letters WHERE practice = $1 AND case_id = $2', [this.practice, caseId])).rows[0];
    return r ? toLetter(r) : undefined;
  }

  async put(l: StoredLetter): Promise<void> {
    await this.write(this.db, l);
  }

  /** In the unit of work too. */
  async write(sql: Sql, l: StoredLetter): Promise<void> {
    await sql.query(
      `INSERT INTO letters (practice, case_id, template_id, template_version, facts, narrative, owner, updated_at) VALUES ($8, $1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (practice, case_id) DO UPDATE SET template_id = excluded.template_id, template_version = excluded.template_version,
         facts = excluded.facts, narrative = excluded.narrative, owner = excluded.owner, updated_at = excluded.updated_at`,
      [l.caseId, l.templateId, l.templateVersion, JSON.stringify(l.facts), l.narrative ? JSON.stringify(l.narrative) : null, l.owner, l.updatedAt, this.practice],
    );
  }
}
