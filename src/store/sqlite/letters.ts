/** Letter drafts by case ID in SQLite (see src/store/letters.ts). */
import type { Db } from './db.js';
import type { LetterStore, StoredLetter } from '../letters.js';

interface Row { case_id: string; template_id: string; template_version: number; facts: string; narrative: string | null; owner: string; updated_at: number }

export class SqliteLetterStore implements LetterStore {
  private readonly getStmt;
  private readonly putStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], Row>('SELECT * FROM letters WHERE case_id = ?');
    this.putStmt = db.prepare(
      `INSERT INTO letters (case_id, template_id, template_version, facts, narrative, owner, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (case_id) DO UPDATE SET template_id = excluded.template_id, template_version = excluded.template_version,
         facts = excluded.facts, narrative = excluded.narrative, owner = excluded.owner, updated_at = excluded.updated_at`,
    );
  }

  async get(caseId: string): Promise<StoredLetter | undefined> {
    const r = this.getStmt.get(caseId);
    if (!r) return undefined;
    const letter: StoredLetter = {
      caseId: r.case_id, templateId: r.template_id, templateVersion: r.template_version, facts: JSON.parse(r.facts) as Record<string, string>,
      owner: r.owner, updatedAt: r.updated_at,
    };
    if (r.narrative !== null) letter.narrative = JSON.parse(r.narrative) as string[];
    return letter;
  }

  async put(l: StoredLetter): Promise<void> {
    this.write(l);
  }

  /** In the unit of work too. */
  write(l: StoredLetter): void {
    this.putStmt.run(l.caseId, l.templateId, l.templateVersion, JSON.stringify(l.facts), l.narrative ? JSON.stringify(l.narrative) : null, l.owner, l.updatedAt);
  }
}
