/**
 * The imported ICD-10-CM list in PostgreSQL (see src/store/icd10.ts). Title search without FTS5: a title
 * matches when each query word begins one of its words (a regular expression per word, answered from the
 * pg_trgm index), ranked in SQL as FTS5 ranks it (title-index.ts), so both stores list the same codes in
 * the same order. The synchronous view is the list in memory, loaded once per import.
 */
import type { PgDb } from './db.js';
import type { IcdFileEntry, IcdFileFormat } from '../../knowledge/icd10-file.js';
import { icd10View, type Icd10Code, type Icd10Store, type Icd10View, type ImportInfo } from '../icd10.js';
import { queryTerms, TitleIndex, titleWords } from './title-index.js';

interface CodeRow { code: string; title: string; billable: boolean }
const toCode = (r: CodeRow): Icd10Code => ({ code: r.code, title: r.title, billable: r.billable });

/** Rows per INSERT while importing: a few round trips for 74,000 codes, each well under the parameter limit. */
const BATCH = 5_000;

/**
 * FTS5's bm25 in SQL (see title-index.ts for the formula): $1 the regular expressions, one per word; the
 * statistics come from the import row. A word's document count is one indexed count per word.
 */
const SEARCH = (n: number) => `
  WITH stats AS (SELECT titled::float8 AS n, words::float8 / greatest(titled, 1) AS avg FROM icd10cm_import WHERE id = 1),
  terms AS (
    SELECT t.re, (SELECT count(*) FROM icd10cm_codes c WHERE c.title ~* t.re)::float8 AS hits FROM unnest($1::text[]) AS t(re)
  ),
  weighted AS (SELECT terms.re, greatest(ln((stats.n - terms.hits + 0.5) / (terms.hits + 0.5)), 1e-6) AS idf FROM terms, stats)
  SELECT c.code, c.title, c.billable FROM icd10cm_codes c, stats
  WHERE ${Array.from({ length: n }, (_, i) => `c.title ~* $${i + 3}`).join(' AND ')}
  ORDER BY c.billable DESC,
    (SELECT sum(w.idf * (f.tf * 2.2) / (f.tf + 1.2 * (0.25 + 0.75 * c.words / stats.avg)))
     FROM weighted w CROSS JOIN LATERAL (SELECT count(*)::float8 AS tf FROM regexp_matches(c.title, w.re, 'gi')) f) DESC,
    c.code
  LIMIT $2`;

export class PgIcd10Store implements Icd10Store {
  private loaded: { importedAt: string; view: Icd10View } | undefined;

  constructor(private readonly db: PgDb) {}

  async info(): Promise<ImportInfo | undefined> {
    return (await this.db.query<ImportInfo>('SELECT file, format, count, imported_at AS "importedAt" FROM icd10cm_import WHERE id = 1')).rows[0];
  }

  async replace(entries: readonly IcdFileEntry[], file: string, format: IcdFileFormat): Promise<ImportInfo> {
    const info: ImportInfo = { file, format, count: entries.length, importedAt: new Date().toISOString() };
    // A code listed twice keeps its last line, as SQLite's INSERT OR REPLACE does.
    const codes = [...new Map(entries.map((e) => [e.code, e])).values()];
    const words = codes.map((e) => titleWords(e.title).length);
    // One transaction: a failed import leaves the previous list intact.
    await this.db.transaction(async (sql) => {
      await sql.query('DELETE FROM icd10cm_codes');
      for (let i = 0; i < codes.length; i += BATCH) {
        const batch = codes.slice(i, i + BATCH);
        await sql.query(
          'INSERT INTO icd10cm_codes (code, title, billable, words) SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::integer[])',
          [batch.map((e) => e.code), batch.map((e) => e.title), batch.map((e) => e.billable), words.slice(i, i + BATCH)],
        );
      }
      await sql.query(
        `INSERT INTO icd10cm_import (id, file, format, count, imported_at, titled, words) VALUES (1, $1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET file = excluded.file, format = excluded.format, count = excluded.count, imported_at = excluded.imported_at,
           titled = excluded.titled, words = excluded.words`,
        [file, format, info.count, info.importedAt, codes.filter((e) => e.title).length, words.reduce((a, b) => a + b, 0)],
      );
    });
    this.loaded = undefined;
    return info;
  }

  async get(code: string): Promise<Icd10Code | undefined> {
    const row = (await this.db.query<CodeRow>('SELECT code, title, billable FROM icd10cm_codes WHERE code = $1', [code])).rows[0];
    return row && toCode(row);
  }

  async search(words: string[], limit: number): Promise<Icd10Code[]> {
    // Letters and digits only, so each term is safe inside a regular expression; \m: where a word begins.
    const patterns = queryTerms(words).map((t) => `\\m${t}`);
    if (!patterns.length || limit <= 0) return [];
    return (await this.db.query<CodeRow>(SEARCH(patterns.length), [patterns, limit, ...patterns])).rows.map(toCode);
  }

  /** The list in memory (about 74,000 short rows), read again only when another import has replaced it. */
  async view(): Promise<Icd10View | undefined> {
    const info = await this.info();
    if (!info) return undefined;
    if (this.loaded?.importedAt === info.importedAt) return this.loaded.view;
    const rows = (await this.db.query<CodeRow>('SELECT code, title, billable FROM icd10cm_codes ORDER BY code')).rows.map(toCode);
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const index = new TitleIndex(rows);
    const view = icd10View((code) => byCode.get(code), (terms, limit) => index.search(terms, limit));
    this.loaded = { importedAt: info.importedAt, view };
    return view;
  }
}
