/** The full ICD-10-CM list in SQLite, so lookups and diagnosis checks cover every code, not just knowledge/. */
import type { Db } from './db.js';
import type { IcdEntry } from '../knowledge/load.js';
import type { CodeDirectory } from '../knowledge/evidence.js';
import type { FullIcd10 } from '../knowledge/lookup.js';
import type { IcdFileEntry, IcdFileFormat } from '../knowledge/icd10-file.js';

export interface ImportInfo { file: string; format: IcdFileFormat; count: number; importedAt: string }

export function replaceIcd10(db: Db, entries: IcdFileEntry[], file: string, format: IcdFileFormat): ImportInfo {
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

export function importInfo(db: Db): ImportInfo | undefined {
  const row = db.prepare('SELECT file, format, count, imported_at AS importedAt FROM icd10cm_import WHERE id = 1').get() as ImportInfo | undefined;
  return row;
}

/**
 * The imported list as a source of titles. It does not decide which codes are valid (the official list
 * shipped in knowledge/ does), so importing a partial file or an older year cannot make triage call a
 * valid code unknown. A valid-codes list has no titles: its entries come back with an empty title.
 */
export function icd10Directory(db: Db): CodeDirectory {
  const get = db.prepare('SELECT code, title, billable FROM icd10cm_codes WHERE code = ?');
  return {
    lookupIcd10(code: string): IcdEntry | undefined {
      const row = get.get(code) as { code: string; title: string; billable: number } | undefined;
      return row ? { code: row.code, title: row.title, billable: row.billable === 1, source: ['CMS-ICD10CM-FY2026'] } : undefined;
    },
  };
}

/** Codes whose official title has every word (as a word prefix), best matches first, through the FTS5 index. */
export function searchIcd10(db: Db, words: string[], limit: number): { code: string; title: string; billable: boolean }[] {
  const terms = words.map((w) => w.replace(/[^\p{L}\p{N}]/gu, '')).filter(Boolean);
  if (!terms.length) return [];
  const query = terms.map((t) => `"${t}"*`).join(' AND ');
  const rows = db
    .prepare(`SELECT c.code, c.title, c.billable FROM icd10cm_titles t JOIN icd10cm_codes c ON c.code = t.code
              WHERE icd10cm_titles MATCH ? ORDER BY c.billable DESC, rank LIMIT ?`)
    .all(query, limit) as { code: string; title: string; billable: number }[];
  return rows.map((r) => ({ code: r.code, title: r.title, billable: r.billable === 1 }));
}

/** The imported list as the code index's full ICD-10-CM set, or undefined when nothing was imported. */
export function fullIcd10(db: Db): FullIcd10 | undefined {
  if (!importInfo(db)) return undefined;
  const dir = icd10Directory(db);
  return {
    get: (code) => {
      const e = dir.lookupIcd10(code);
      return e && { code: e.code, title: e.title || 'ICD-10-CM code (the imported file has no title)', billable: e.billable };
    },
    search: (words, limit) => searchIcd10(db, words, limit),
  };
}
