/** Letter drafts by case ID: the template and the facts the letter states, to regenerate it any day. */
import type { Db } from './db.js';

export interface StoredLetter {
  caseId: string;
  templateId: string;
  templateVersion: number;
  facts: Record<string, string>;
  narrative?: string[];
  owner: string;
  updatedAt: number;
}

interface Row { case_id: string; template_id: string; template_version: number; facts: string; narrative: string | null; owner: string; updated_at: number }

export class LetterStore {
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

  get(caseId: string): StoredLetter | undefined {
    const r = this.getStmt.get(caseId);
    if (!r) return undefined;
    const letter: StoredLetter = {
      caseId: r.case_id, templateId: r.template_id, templateVersion: r.template_version, facts: JSON.parse(r.facts) as Record<string, string>,
      owner: r.owner, updatedAt: r.updated_at,
    };
    if (r.narrative !== null) letter.narrative = JSON.parse(r.narrative) as string[];
    return letter;
  }

  put(l: StoredLetter): void {
    this.putStmt.run(l.caseId, l.templateId, l.templateVersion, JSON.stringify(l.facts), l.narrative ? JSON.stringify(l.narrative) : null, l.owner, l.updatedAt);
  }
}
