/** The imported ICD-10-CM list in SQLite, with its FTS5 word index over the titles (see src/store/icd10.ts). */
import type { Db } from './db.js';
import type { IcdFileEntry, IcdFileFormat } from '../../knowledge/icd10-file.js';
import { icd10View, type Icd10Code, type Icd10Store, type Icd10View, type ImportInfo } from '../icd10.js';

interface CodeRow { code: string; title: string; billable: number }
const toCode = (r: CodeRow): Icd10Code => ({ code: r.code, title: r.title, billable: r.billable === 1 });

export class SqliteIcd10Store implements Icd10Store {
  private readonly getStmt;
  private readonly infoStmt;
  private readonly searchStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], CodeRow>('SELECT code, title, billable FROM icd10cm_codes WHERE code = ?');
    this.infoStmt = db.prepare<[], ImportInfo>('SELECT file, format, count, imported_at AS importedAt FROM icd10cm_import WHERE id = 1');
    this.searchStmt = db.prepare<[string, number], CodeRow>(
      `SELECT c.code, c.title, c.billable FROM icd10cm_titles t JOIN icd10cm_codes c ON c.code = t.code
       WHERE icd10cm_titles MATCH ? ORDER BY c.billable DESC, rank LIMIT ?`,
    );
  }

  async info(): Promise<ImportInfo | undefined> {
    return this.infoStmt.get();
  }

  async replace(entries: readonly IcdFileEntry[], file: string, format: IcdFileFormat): Promise<ImportInfo> {
    const db = this.db;
    const info: ImportInfo = { file, format, count: entries.length, importedAt: new Date().toISOString() };
    const insert = db.prepare('INSERT OR REPLACE INTO icd10cm_codes (code, title, billable) VALUES (?, ?, ?)');
    const insertTitle = db.prepare('INSERT INTO icd10cm_titles (code, title) VALUES (?, ?)');
    // One transaction: a failed import leaves the previous list intact.
    db.transaction(() => {
      db.prepare('DELETE FROM icd10cm_codes').run();
      db.prepare('DELETE FROM icd10cm_titles').run();
      for (const e of entries) {
        insert.run(e.code, e.title, e.billable ? 1 : 0);
        if (e.title) insertTitle.run(e.code, e.title);
      }
      db.prepare('INSERT OR REPLACE INTO icd10cm_import (id, file, format, count, imported_at) VALUES (1, ?, ?, ?, ?)').run(file, format, info.count, info.importedAt);
    }).immediate();
    return info;
  }

  async get(code: string): Promise<Icd10Code | undefined> {
    const row = this.getStmt.get(code);
    return row && toCode(row);
  }

  async search(words: string[], limit: number): Promise<Icd10Code[]> {
    return this.searchSync(words, limit);
  }

  /** Read through the file as asked: SQLite answers in microseconds, and nothing is loaded up front (a cold triage stays cold). */
  async view(): Promise<Icd10View | undefined> {
    if (!this.infoStmt.get()) return undefined;
    return icd10View((code) => {
      const row = this.getStmt.get(code);
      return row && toCode(row);
    }, (words, limit) => this.searchSync(words, limit));
  }

  /** Codes whose official title has every word (as a word prefix), best matches first, through the FTS5 index. */
  private searchSync(words: string[], limit: number): Icd10Code[] {
    const terms = words.map((w) => w.replace(/[^\p{L}\p{N}]/gu, '')).filter(Boolean);
    if (!terms.length) return [];
    return this.searchStmt.all(terms.map((t) => `"${t}"*`).join(' AND '), limit).map(toCode);
  }
}
