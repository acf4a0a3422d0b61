/**
 * The ICD-10-CM code table port: the full CMS list imported with `medbill kb import-icd10`, so lookups and
 * diagnosis titles cover every code, not just knowledge/. It does not decide which codes are valid (the
 * official lists shipped in knowledge/ do).
 *
 * Triage and the code index are pure and synchronous (a flow's prompt runs them), so besides the async
 * reads the port hands out a `view`: a read-only, synchronous look at the imported list for them. SQLite
 * answers it from the file through prepared statements; a server database loads the list into memory once
 * (about 74,000 short rows, changed only by an import), so no query runs inside a pure function.
 */
import type { FullIcd10 } from '../knowledge/lookup.js';
import type { CodeDirectory } from '../knowledge/evidence.js';
import type { IcdFileEntry, IcdFileFormat } from '../knowledge/icd10-file.js';

export interface ImportInfo { file: string; format: IcdFileFormat; count: number; importedAt: string }

export interface Icd10Code { code: string; title: string; billable: boolean }

/** The imported list for the pure code: titles for triage (CodeDirectory), codes and word search for the code index. */
export type Icd10View = FullIcd10 & CodeDirectory;

export interface Icd10Store {
  /** What was imported, or undefined when nothing was. */
  info(): Promise<ImportInfo | undefined>;
  /** Replaces the whole list, all or nothing: a failed import leaves the previous list intact. */
  replace(entries: readonly IcdFileEntry[], file: string, format: IcdFileFormat): Promise<ImportInfo>;
  /** One imported code ('' title: the file had none). */
  get(code: string): Promise<Icd10Code | undefined>;
  /** Codes whose official title has every word (as a word prefix), billable codes first, best matches first. */
  search(words: string[], limit: number): Promise<Icd10Code[]>;
  /** The imported list for triage and the code index (see above), or undefined when nothing was imported. */
  view(): Promise<Icd10View | undefined>;
}

/**
 * The view over an imported list, from a store's synchronous look-up of one code and its title search: both
 * stores answer triage and the code index alike (the list's source, the words for a code the file gave no title).
 */
export function icd10View(find: (code: string) => Icd10Code | undefined, search: Icd10View['search']): Icd10View {
  return {
    lookupIcd10: (code) => {
      const row = find(code);
      return row ? { code: row.code, title: row.title, billable: row.billable, source: ['CMS-ICD10CM-FY2026'] } : undefined;
    },
    get: (code) => {
      const row = find(code);
      return row && { code: row.code, title: row.title || 'ICD-10-CM code (the imported file has no title)', billable: row.billable };
    },
    search,
  };
}
