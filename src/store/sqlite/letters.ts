/** Letter drafts by case ID in SQLite (see src/store/letters.ts). */
import type { Db } from './db.js';
import type { LetterStore, StoredLetter } from '../letters.js';

import { toLetter, type LetterRow } from '../rows.js';

export class SqliteLetterStore implements LetterStore {
  private readonly getStmt;
  private readonly putStmt;

  constructor(db: Db, private readonly practice: string) {
    this.getStmt = db.prepare<[string, string], LetterRow>('SELECT * FROM letters WHERE practice = ? AND case_id = ?');
    this.putStmt = db.prepare(
      `INSERT INTO letters (practice, case_id, template_id, template_version, facts, narrative, owner, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (practice, case_id) DO UPDATE SET template_id = excluded.template_id, template_version = excluded.template_version,
         facts = excluded.facts, narrative = excluded.narrative, owner = excluded.owner, updated_at = excluded.updated_at`,
    );
  }

  async get(caseId: string): Promise<StoredLetter | undefined> {
    const r = this.getStmt.get(this.practice, caseId);
    return r ? toLetter(r) : undefined;
  }

  async put(l: StoredLetter): Promise<void> {
    this.write(l);
  }

  /** In the unit of work too. */
  write(l: StoredLetter): void {
    this.putStmt.run(this.practice, l.caseId, l.templateId, l.templateVersion, JSON.stringify(l.facts), l.narrative ? JSON.stringify(l.narrative) : null, l.owner, l.updatedAt);
  }
}
